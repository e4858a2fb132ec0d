package api

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDispatchBody feeds arbitrary bodies through the repository_dispatch
// and workflow_dispatch schema checks: no panic, and a body that passes
// has a valid event_type and a small enough client_payload object.
func FuzzDispatchBody(f *testing.F) {
	for _, seed := range []string{
		`{"event_type":"deploy","client_payload":{"a":1}}`,
		`{"event_type":"","client_payload":[]}`,
		`{"ref":"main","inputs":{"x":"1"},"return_run_details":true}`,
		`{"event_type":null,"x":1,"y":2}`,
		`{"client_payload":{"a":{"b":{"c":[1,2,3]}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var body map[string]json.RawMessage
		if json.Unmarshal(data, &body) != nil || body == nil {
			return
		}
		var v schemaErrors
		v.closedKeys(body, "event_type", "client_payload")
		et := v.str(body, "event_type", true, 1, 100)
		payload := v.obj(body, "client_payload", 10)
		if v.err() == nil {
			if n := utf8.RuneCountInString(et); n < 1 || n > 100 {
				t.Fatalf("accepted event_type of %d characters", n)
			}
			var m map[string]json.RawMessage
			if payload != nil && (json.Unmarshal(payload, &m) != nil || len(m) > 10) {
				t.Fatalf("accepted client_payload %s", payload)
			}
		}
		var w schemaErrors
		w.closedKeys(body, "ref", "inputs", "return_run_details")
		w.str(body, "ref", true, 1, 0)
		if raw := w.obj(body, "inputs", 25); raw != nil {
			decodeInputs(raw)
		}
		w.boolean(body, "return_run_details")
		w.err()
	})
}
