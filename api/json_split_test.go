package api

import (
	"encoding/json"
	"maps"
	"testing"
)

// For every valid JSON input, splitObject gives what json.Unmarshal into
// map[string]json.RawMessage gives: the same keys and raw bytes, and
// "not an object" exactly when Unmarshal refuses the type.
func FuzzSplitObject(f *testing.F) {
	for _, seed := range []string{
		`{"event_type":"deploy","client_payload":{"a":1,"b":[1,{"c":"}"}]}}`,
		` { "a" : 1 , "b":"x\"y" ,"a":true}`, `{}`, `[]`, `"x"`, `1`, `null`, `{"k\u00e9y":null,"ké":{}}`,
		`{"a":-1.5e3,"b":false,"c":"\\","d":[]}`, "{\"\xff\":1}", `{"":""}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var want map[string]json.RawMessage
		werr := json.Unmarshal(data, &want)
		got, ok := splitObject(data)
		if ok != (werr == nil && want != nil) {
			t.Fatalf("%q: splitObject ok %v, Unmarshal %v (%v)", data, ok, werr, want)
		}
		if ok && !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
			t.Fatalf("%q: splitObject %q, Unmarshal %q", data, got, want)
		}
	})
}
