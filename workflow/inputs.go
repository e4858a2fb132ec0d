package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd"
)

// MaxDispatchInputs is the most inputs one workflow_dispatch call may send
// (CONTRACT §2: `maxProperties: 25`).
const MaxDispatchInputs = 25

// ValidateInputs checks the `inputs` of a workflow_dispatch REST call
// against the workflow's declaration and returns the two views the run
// needs: `inputs` (typed) and `github.event.inputs` (strings).
//
// given is the decoded JSON object; values may be strings, booleans, numbers
// (float64 or json.Number), null, objects or arrays. Checks, in order, each
// failing with an EINVALID *dispatchd.Error and GitHub's message where one
// is known (CONTRACT §2):
//
//   - more than MaxDispatchInputs values;
//   - a null, object or array value: `For 'additionalProperties', nil is not
//     a string.` (GitHub validates the body against a schema whose inputs
//     are strings; objects and arrays get the same sentence with their JSON);
//   - inputs the workflow does not declare: `Unexpected inputs provided:
//     ["a","b"]`, names sorted (a JSON object has no order to keep), matched
//     exactly (ids are not folded);
//   - then each declared input in declaration order: a missing required
//     input without default (`Required input 'x' not provided`), a choice
//     outside its options or a boolean other than true/false (`Provided value
//     'v' for input 'x' not in the list of allowed values`), a number that
//     does not parse (`Provided value 'v' for input 'x' is not a valid
//     number`).
//
// An empty string counts as provided. Booleans are accepted as JSON booleans
// or the strings "true" and "false"; numbers as JSON numbers or numeric
// strings; strings, choices and environments also take booleans and numbers
// in their string form.
//
// Values: inputs holds booleans as bool and numbers as float64 (the
// documented types; WORKFLOW_SEMANTICS §3.2 notes runs observed with
// strings), everything else as string. eventInputs holds the same keys as
// strings: "true"/"false", numbers as sent (a string stays as written).
// Omitted inputs take their default, converted the same way; without a
// default (undocumented, §3.2 and §15.3) they take what GitHub's form would
// send and the peer implementation uses: the empty string for string and
// environment, false for boolean, 0 for number, the first option for choice.
func ValidateInputs(t *dispatchd.WorkflowDispatchTrigger, given map[string]any) (inputs map[string]any, eventInputs map[string]string, err error) {
	if len(given) > MaxDispatchInputs {
		return nil, nil, invalid("For 'properties/inputs', no more than %d properties are allowed; %d were supplied.",
			MaxDispatchInputs, len(given))
	}
	names := make([]string, 0, len(given))
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)

	for _, name := range names {
		switch v := given[name].(type) {
		case nil:
			return nil, nil, invalid("For 'additionalProperties', nil is not a string.")
		case map[string]any, []any:
			return nil, nil, invalid("For 'additionalProperties', %s is not a string.", compactJSON(v))
		}
	}

	var declared []dispatchd.WorkflowInput
	if t != nil {
		declared = t.Inputs
	}
	var unexpected []string
	for _, name := range names {
		if !slices.ContainsFunc(declared, func(in dispatchd.WorkflowInput) bool { return in.ID == name }) {
			unexpected = append(unexpected, name)
		}
	}
	if len(unexpected) > 0 {
		return nil, nil, invalid("Unexpected inputs provided: %s", compactJSON(unexpected))
	}

	inputs = make(map[string]any, len(declared))
	eventInputs = make(map[string]string, len(declared))
	for _, in := range declared {
		v, ok := given[in.ID]
		if !ok {
			typed, text := omitted(in)
			if typed == nil {
				return nil, nil, invalid("Required input '%s' not provided", in.ID)
			}
			inputs[in.ID], eventInputs[in.ID] = typed, text
			continue
		}
		typed, text, err := coerce(in, v)
		if err != nil {
			return nil, nil, err
		}
		inputs[in.ID], eventInputs[in.ID] = typed, text
	}
	return inputs, eventInputs, nil
}

// omitted returns the value of an input the call left out, nil when the
// input is required and has no default.
func omitted(in dispatchd.WorkflowInput) (any, string) {
	if in.Default != nil {
		def := *in.Default
		switch in.Type {
		case dispatchd.InputBoolean:
			// actionlint reports a default other than true/false.
			b := strings.EqualFold(strings.TrimSpace(def), "true")
			return b, strconv.FormatBool(b)
		case dispatchd.InputNumber:
			if f, ok := parseNumber(def); ok {
				return f, def
			}
		}
		return def, def
	}
	if in.Required {
		return nil, ""
	}
	switch in.Type {
	case dispatchd.InputBoolean:
		return false, "false"
	case dispatchd.InputNumber:
		return float64(0), "0"
	case dispatchd.InputChoice:
		if len(in.Options) > 0 {
			return in.Options[0], in.Options[0]
		}
	}
	return "", ""
}

// coerce checks a given value against the input's type.
func coerce(in dispatchd.WorkflowInput, v any) (any, string, error) {
	text, isString := v.(string)
	if !isString {
		text = scalarText(v)
	}
	notAllowed := func() error {
		return invalid("Provided value '%s' for input '%s' not in the list of allowed values", text, in.ID)
	}
	switch in.Type {
	case dispatchd.InputBoolean:
		switch {
		case v == true || (isString && text == "true"):
			return true, "true", nil
		case v == false || (isString && text == "false"):
			return false, "false", nil
		}
		return nil, "", notAllowed()
	case dispatchd.InputChoice:
		if !slices.Contains(in.Options, text) {
			return nil, "", notAllowed()
		}
		return text, text, nil
	case dispatchd.InputNumber:
		if _, isBool := v.(bool); !isBool {
			if f, ok := parseNumber(text); ok {
				return f, text, nil
			}
		}
		return nil, "", invalid("Provided value '%s' for input '%s' is not a valid number", text, in.ID)
	}
	return text, text, nil
}

// parseNumber accepts decimal numbers as JSON and YAML write them; Go's
// hexadecimal floats, underscores, NaN and infinities are not numbers to a
// workflow author.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "_xXpPnN") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// scalarText is the string form of a non-string JSON scalar.
func scalarText(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	if f, ok := number(v); ok {
		return formatNumber(f)
	}
	return fmt.Sprint(v)
}

// formatNumber writes a number as JavaScript and GitHub's expressions do:
// no exponent for ordinary magnitudes, no trailing zeros.
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a < 1e-6 || a >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // names like "a<b" must read as sent
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func invalid(format string, args ...any) *dispatchd.Error {
	return dispatchd.Errorf(dispatchd.EINVALID, format, args...)
}
