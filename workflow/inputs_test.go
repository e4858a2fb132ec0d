package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/dispatchd/dispatchd"
)

func ptr(s string) *string { return &s }

// allTypes declares one input of every type, with and without defaults.
var allTypes = &dispatchd.WorkflowDispatchTrigger{Inputs: []dispatchd.WorkflowInput{
	{ID: "version", Type: dispatchd.InputString, Required: true},
	{ID: "notes", Type: dispatchd.InputString, Default: ptr("n/a")},
	{ID: "free", Type: dispatchd.InputString},
	{ID: "debug", Type: dispatchd.InputBoolean},
	{ID: "dry", Type: dispatchd.InputBoolean, Default: ptr("true")},
	{ID: "channel", Type: dispatchd.InputChoice, Options: []string{"stable", "beta", "1"}, Default: ptr("beta")},
	{ID: "arch", Type: dispatchd.InputChoice, Options: []string{"x64", "arm64"}},
	{ID: "count", Type: dispatchd.InputNumber},
	{ID: "ratio", Type: dispatchd.InputNumber, Default: ptr("1.50")},
	{ID: "env", Type: dispatchd.InputEnvironment},
}}

func TestValidateInputsValues(t *testing.T) {
	tests := []struct {
		name       string
		given      map[string]any
		wantInputs map[string]any
		wantEvent  map[string]string
	}{
		{
			name:  "only the required input: defaults and zero values",
			given: map[string]any{"version": "2.0.0"},
			wantInputs: map[string]any{"version": "2.0.0", "notes": "n/a", "free": "", "debug": false, "dry": true,
				"channel": "beta", "arch": "x64", "count": 0.0, "ratio": 1.5, "env": ""},
			wantEvent: map[string]string{"version": "2.0.0", "notes": "n/a", "free": "", "debug": "false", "dry": "true",
				"channel": "beta", "arch": "x64", "count": "0", "ratio": "1.50", "env": ""},
		},
		{
			name: "every type given as strings, as the UI and gh send them",
			given: map[string]any{"version": "v1", "notes": "", "free": "x y", "debug": "true", "dry": "false",
				"channel": "stable", "arch": "arm64", "count": "42", "ratio": "-0.25", "env": "production"},
			wantInputs: map[string]any{"version": "v1", "notes": "", "free": "x y", "debug": true, "dry": false,
				"channel": "stable", "arch": "arm64", "count": 42.0, "ratio": -0.25, "env": "production"},
			wantEvent: map[string]string{"version": "v1", "notes": "", "free": "x y", "debug": "true", "dry": "false",
				"channel": "stable", "arch": "arm64", "count": "42", "ratio": "-0.25", "env": "production"},
		},
		{
			name:       "JSON booleans and numbers",
			given:      map[string]any{"version": 3.0, "debug": true, "dry": false, "channel": 1.0, "count": 1e3, "ratio": json.Number("2.5e1"), "free": false},
			wantInputs: map[string]any{"version": "3", "debug": true, "dry": false, "channel": "1", "count": 1000.0, "ratio": 25.0, "free": "false"},
			wantEvent:  map[string]string{"version": "3", "debug": "true", "dry": "false", "channel": "1", "count": "1000", "ratio": "2.5e1", "free": "false"},
		},
		{
			name:       "number strings keep their text in github.event.inputs",
			given:      map[string]any{"version": "x", "count": " 007 ", "ratio": "1e2"},
			wantInputs: map[string]any{"version": "x", "count": 7.0, "ratio": 100.0},
			wantEvent:  map[string]string{"version": "x", "count": " 007 ", "ratio": "1e2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs, event, err := ValidateInputs(allTypes, tt.given)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.wantInputs {
				if !reflect.DeepEqual(inputs[k], v) {
					t.Errorf("inputs.%s = %#v, want %#v", k, inputs[k], v)
				}
			}
			for k, v := range tt.wantEvent {
				if event[k] != v {
					t.Errorf("github.event.inputs.%s = %q, want %q", k, event[k], v)
				}
			}
			if len(inputs) != len(allTypes.Inputs) || len(event) != len(allTypes.Inputs) {
				t.Errorf("every declared input must be present: %v %v", inputs, event)
			}
		})
	}
}

func TestValidateInputsErrors(t *testing.T) {
	many := map[string]any{}
	for i := range 26 {
		many[fmt.Sprintf("i%02d", i)] = "x"
	}
	tests := []struct {
		name  string
		given map[string]any
		want  string
	}{
		{"too many", many, "For 'properties/inputs', no more than 25 properties are allowed; 26 were supplied."},
		{"null", map[string]any{"version": nil}, "For 'additionalProperties', nil is not a string."},
		{"object", map[string]any{"version": map[string]any{"a": 1.0}}, `For 'additionalProperties', {"a":1} is not a string.`},
		{"array", map[string]any{"version": "1", "free": []any{"a", true}}, `For 'additionalProperties', ["a",true] is not a string.`},
		{"unexpected", map[string]any{"version": "1", "extra": "x"}, `Unexpected inputs provided: ["extra"]`},
		{"unexpected, sorted", map[string]any{"zz": "1", "version": "1", "a<b": "x", "Notes": "y"}, `Unexpected inputs provided: ["Notes","a<b","zz"]`},
		{"unexpected before missing", map[string]any{"extra": "x"}, `Unexpected inputs provided: ["extra"]`},
		{"required missing", map[string]any{"notes": "x"}, "Required input 'version' not provided"},
		{"required missing, nothing given", nil, "Required input 'version' not provided"},
		{"choice outside options", map[string]any{"version": "1", "channel": "alpha"}, "Provided value 'alpha' for input 'channel' not in the list of allowed values"},
		{"choice is case-sensitive", map[string]any{"version": "1", "channel": "Stable"}, "Provided value 'Stable' for input 'channel' not in the list of allowed values"},
		{"choice empty", map[string]any{"version": "1", "arch": ""}, "Provided value '' for input 'arch' not in the list of allowed values"},
		{"boolean empty", map[string]any{"version": "1", "debug": ""}, "Provided value '' for input 'debug' not in the list of allowed values"},
		{"boolean yes", map[string]any{"version": "1", "debug": "yes"}, "Provided value 'yes' for input 'debug' not in the list of allowed values"},
		{"boolean True", map[string]any{"version": "1", "debug": "True"}, "Provided value 'True' for input 'debug' not in the list of allowed values"},
		{"boolean number", map[string]any{"version": "1", "debug": 1.0}, "Provided value '1' for input 'debug' not in the list of allowed values"},
		{"number text", map[string]any{"version": "1", "count": "ten"}, "Provided value 'ten' for input 'count' is not a valid number"},
		{"number empty", map[string]any{"version": "1", "count": ""}, "Provided value '' for input 'count' is not a valid number"},
		{"number NaN", map[string]any{"version": "1", "count": "NaN"}, "Provided value 'NaN' for input 'count' is not a valid number"},
		{"number hex", map[string]any{"version": "1", "count": "0x10"}, "Provided value '0x10' for input 'count' is not a valid number"},
		{"number boolean", map[string]any{"version": "1", "count": true}, "Provided value 'true' for input 'count' is not a valid number"},
		{"first invalid input in declaration order", map[string]any{"version": "1", "count": "x", "debug": "x"}, "Provided value 'x' for input 'debug' not in the list of allowed values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs, event, err := ValidateInputs(allTypes, tt.given)
			if err == nil {
				t.Fatalf("no error; inputs %v", inputs)
			}
			if inputs != nil || event != nil {
				t.Error("values returned with an error")
			}
			var de *dispatchd.Error
			if !errors.As(err, &de) || de.Code != dispatchd.EINVALID {
				t.Errorf("error %#v is not EINVALID", err)
			}
			if msg := dispatchd.ErrorMessage(err); msg != tt.want {
				t.Errorf("message %q\n   want %q", msg, tt.want)
			}
		})
	}
}

func TestValidateInputsNoDeclaration(t *testing.T) {
	for _, trig := range []*dispatchd.WorkflowDispatchTrigger{nil, {}} {
		inputs, event, err := ValidateInputs(trig, nil)
		if err != nil || len(inputs) != 0 || len(event) != 0 || inputs == nil || event == nil {
			t.Errorf("no inputs: %v %v %v", inputs, event, err)
		}
		_, _, err = ValidateInputs(trig, map[string]any{"x": "1"})
		if dispatchd.ErrorMessage(err) != `Unexpected inputs provided: ["x"]` {
			t.Errorf("got %v", err)
		}
	}
}

func TestValidateInputsRequiredWithDefault(t *testing.T) {
	trig := &dispatchd.WorkflowDispatchTrigger{Inputs: []dispatchd.WorkflowInput{
		{ID: "level", Type: dispatchd.InputChoice, Required: true, Options: []string{"a", "b"}, Default: ptr("b")},
		{ID: "on", Type: dispatchd.InputBoolean, Required: true, Default: ptr("false")},
	}}
	inputs, event, err := ValidateInputs(trig, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if inputs["level"] != "b" || inputs["on"] != false || event["on"] != "false" {
		t.Errorf("defaults not applied: %v %v", inputs, event)
	}
}
