package expr

import (
	"strings"
	"testing"
)

var jsonSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e3`, `1E+2`, `-12.25e-3`, `1e400`, `-1e400`,
	`01`, `1.`, `.5`, `-`, `+1`, `1e`, `tru`, `truex`, `nul`, `"a"`, `"\u00e9\n\t\"\\\/"`, `"\ud83d\ude00"`,
	`"\ud800"`, `"\x"`, "\"a\x01b\"", "\"\xff\xfe\"", "\"caf\xc3\xa9\"", `"\u12"`, `[1,]`, `[,1]`, `{,}`,
	`{"a":1,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1}{}`, `1 2`, ` {"z": 1, "a": [true, null, "s", 1.5e3, {}]} `,
	`{"Name":1,"NAME":2,"other":[[],[[]]]}`, `{"client_payload":{"image_tag":"sha-1234567","environment":"production"}}`,
	strings.Repeat("[", 70) + strings.Repeat("]", 70), strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat("}", 65),
	"\t[1,\r\n2]\n", `["a",1,{"b":null}]`, `'x'`, `NaN`, `{a: 1}`,
}

// Both paths give the same value (sameValue, from the conformance test), or both fail with the strict path's
// error; the scan must never accept what the Decoder rejects.
func FuzzFromJSONPaths(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, depth := range []int{fromJSONMaxDepth, 3} {
			want, werr := decodeJSONStrict([]byte(in), depth)
			got, ok := scanJSON([]byte(in), depth)
			if ok && werr != nil {
				t.Fatalf("scan accepted %q (depth %d), the Decoder says %v", in, depth, werr)
			}
			if ok && !sameValue(got, want) {
				t.Fatalf("%q: scan %#v, Decoder %#v", in, got, want)
			}
			v, err := decodeJSON([]byte(in), depth)
			if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() || err == nil && !sameValue(v, want) {
				t.Fatalf("%q: decodeJSON %v, %v; Decoder %v, %v", in, v, err, want, werr)
			}
		}
	})
}

// The scan takes every valid input of the seeds, so that the fast path is
// the one that runs: a regression to the Decoder would pass the fuzz test.
func TestScanJSONTakesValidInput(t *testing.T) {
	for _, in := range jsonSeeds {
		if _, err := decodeJSONStrict([]byte(in), fromJSONMaxDepth); err != nil {
			continue
		}
		if _, ok := scanJSON([]byte(in), fromJSONMaxDepth); !ok {
			t.Errorf("scan gave up on valid %q", in)
		}
	}
}

func BenchmarkFromJSON(b *testing.B) {
	data := []byte(`{"image_tag":"sha-1234567","environment":"production","replicas":3,"canary":true,"tags":["a","b"],"meta":{"by":"ci","at":null}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
