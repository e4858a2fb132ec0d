package expr

import (
	"strings"
	"testing"
)

func TestFromJSONKeepsOrderAndTypes(t *testing.T) {
	v, err := FromJSON([]byte(` {"z": 1, "a": [true, null, "s", 1.5e3, {}], "M": {"y": {}, "x": []}} `))
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*Object)
	if got := strings.Join(o.Keys(), ","); got != "z,a,M" {
		t.Errorf("keys = %s", got)
	}
	arr, _ := o.Get("A")
	items := arr.([]any)
	if items[0] != true || items[1] != nil || items[2] != "s" || items[3] != 1500.0 {
		t.Errorf("items = %#v", items)
	}
	want := "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null,\n    \"s\",\n    1500,\n    {}\n  ],\n  \"M\": {\n    \"y\": {},\n    \"x\": []\n  }\n}"
	if got := ToJSON(v); got != want {
		t.Errorf("ToJSON = %q, want %q", got, want)
	}
}

func TestFromJSONErrors(t *testing.T) {
	for _, in := range []string{"", "  ", "{", "[1,]", `{"a" 1}`, "1 2", "[] []", "'x'", "{a: 1}", "NaN", "tru", `"\x"`} {
		if v, err := FromJSON([]byte(in)); err == nil {
			t.Errorf("FromJSON(%q) = %v, want an error", in, v)
		}
	}
}

func TestObjectKeys(t *testing.T) {
	o := NewObject()
	o.Set("Name", 1.0)
	o.Set("other", 2.0)
	o.Set("NAME", 3.0) // replaces Name in place
	if got := strings.Join(o.Keys(), ","); got != "NAME,other" {
		t.Errorf("keys = %s", got)
	}
	if v, ok := o.Get("name"); !ok || v != 3.0 {
		t.Errorf("Get(name) = %v, %v", v, ok)
	}
	if _, ok := o.Get("missing"); ok {
		t.Error("Get(missing) found something")
	}
	// Large objects switch to an index; lookups must behave the same.
	big := NewObject()
	for i := range 100 {
		big.Set("Key"+formatNumber(float64(i)), float64(i))
	}
	big.Set("KEY7", "seven")
	if v, _ := big.Get("key7"); v != "seven" || big.Len() != 100 {
		t.Errorf("big.Get(key7) = %v, len %d", v, big.Len())
	}
	if v, _ := big.Get("kEy99"); v != 99.0 {
		t.Errorf("big.Get(kEy99) = %v", v)
	}
	// Non-ASCII keys fold as OrdinalIgnoreCase does.
	o.Set("straße", 1.0)
	o.Set("ünïcödé", 2.0)
	if _, ok := o.Get("STRASSE"); ok {
		t.Error("ß must not match SS")
	}
	if v, _ := o.Get("ÜNÏCÖDÉ"); v != 2.0 {
		t.Errorf("Get(ÜNÏCÖDÉ) = %v", v)
	}
	var nilObj *Object
	if v, ok := nilObj.Get("x"); v != nil || ok || nilObj.Len() != 0 || ToJSON(nilObj) != "{}" {
		t.Error("a nil *Object must behave as an empty object")
	}
}

func TestToJSONEscapes(t *testing.T) {
	in := "q\" b\\ \b\f\n\r\t \x01\x1f \u0085\u2028\u2029 <>&' é 😀 \xff"
	want := `"q\" b\\ \b\f\n\r\t \u0001\u001f \u0085\u2028\u2029 <>&' é 😀 ` + "\ufffd" + `"`
	if got := ToJSON(in); got != want {
		t.Errorf("ToJSON = %s, want %s", got, want)
	}
}

func TestToStringAndTruthy(t *testing.T) {
	for _, tc := range []struct {
		v      any
		s      string
		truthy bool
	}{
		{nil, "", false},
		{true, "true", true},
		{false, "false", false},
		{0.0, "0", false},
		{-0.5, "-0.5", true},
		{"", "", false},
		{"0", "0", true},
		{[]any{}, "Array", true},
		{NewObject(), "Object", true},
		{&filtered{}, "Array", true},
	} {
		if got := ToString(tc.v); got != tc.s {
			t.Errorf("ToString(%#v) = %q, want %q", tc.v, got, tc.s)
		}
		if got := Truthy(tc.v); got != tc.truthy {
			t.Errorf("Truthy(%#v) = %v", tc.v, got)
		}
	}
}
