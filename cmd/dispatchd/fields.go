package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// parseFields reads gh-style fields: -f key=value is a string; -F key=value
// is typed (true, false, null, integers and numbers) and @file reads a file.
func parseFields(raw, typed []string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range raw {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-f %q: use key=value", f)
		}
		out[k] = v
	}
	for _, f := range typed {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-F %q: use key=value", f)
		}
		val, err := typedValue(v)
		if err != nil {
			return nil, fmt.Errorf("-F %s: %w", k, err)
		}
		out[k] = val
	}
	return out, nil
}

func typedValue(v string) (any, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if strings.HasPrefix(v, "@") {
		data, err := os.ReadFile(v[1:])
		return strings.TrimSuffix(string(data), "\n"), err
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f, nil
	}
	return v, nil
}

// jsonArg reads a JSON value given inline or as @file.
func jsonArg(s string) (json.RawMessage, error) {
	data := []byte(s)
	if strings.HasPrefix(s, "@") {
		var err error
		if data, err = os.ReadFile(s[1:]); err != nil {
			return nil, err
		}
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("not valid JSON: %.60s", data)
	}
	return data, nil
}
