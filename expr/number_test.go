package expr

import (
	"math"
	"testing"
)

func TestFormatNumberG15(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-1234.5, "-1234.5"},
		{0.84551240822557006, "0.84551240822557"},
		{1e20, "1E+20"},
		{1e15, "1E+15"},
		{1e14, "100000000000000"},
		{999999999999999.9, "1E+15"}, // rounds up into the next exponent
		{123456789012345678, "1.23456789012346E+17"},
		{0.0001, "0.0001"},
		{0.00001, "1E-05"},
		{1.5e-10, "1.5E-10"},
		{-2.5e-300, "-2.5E-300"},
		{1e100, "1E+100"},
		{0.1 + 0.2, "0.3"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{math.MaxFloat64, "1.79769313486232E+308"},
		{5e-324, "4.94065645841247E-324"},
	} {
		if got := formatNumber(tc.in); got != tc.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"", 0},
		{"  \t", 0},
		{" 42 ", 42},
		{"+1.2e2", 120},
		{"-.5", -0.5},
		{"1.", 1},
		{"007", 7},
		{"1e400", math.Inf(1)},
		{"0xff", 255},
		{"0xFF", 255},
		{"0xffffffff", -1}, // 32-bit two's complement, as .NET parses it
		{"0x7fffffff", math.MaxInt32},
		{"0x100000000", nan},
		{"0XFF", nan}, // only a lower-case x
		{"-0x10", nan},
		{"0o777", 511},
		{"0o8", nan},
		{"0o", nan},
		{"Infinity", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
		{"infinity", nan},
		{"inf", nan},
		{"NaN", nan},
		{"1_000", nan},
		{"0x1p3", nan},
		{".", nan},
		{"1e", nan},
		{"e5", nan},
		{"1.5.2", nan},
		{"abc", nan},
	} {
		got := parseNumber(tc.in)
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("parseNumber(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
