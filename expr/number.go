package expr

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// parseNumber converts a string to a number the way GitHub coerces strings
// for comparison and indexing (ExpressionUtility.ParseNumber): trim
// whitespace; ” is 0; a decimal with optional sign, point and exponent;
// 0x… as a 32-bit two's-complement integer; 0o… likewise in octal;
// Infinity and -Infinity; anything else is NaN. Number literals in an
// expression go through the same function, and NaN there is a lex error.
func parseNumber(s string) float64 {
	s = strings.TrimFunc(s, unicode.IsSpace)
	switch {
	case s == "":
		return 0
	case isDecimal(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRangeErr(err) {
			return math.NaN()
		}
		return f // ±Inf or 0 on overflow/underflow, as .NET Core does
	case len(s) > 2 && s[0] == '0' && s[1] == 'x':
		return parseInt32(s[2:], 16)
	case len(s) > 2 && s[0] == '0' && s[1] == 'o':
		return parseInt32(s[2:], 8)
	case s == "Infinity" || s == "+Infinity":
		return math.Inf(1)
	case s == "-Infinity":
		return math.Inf(-1)
	}
	return math.NaN()
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isDecimal accepts what .NET's Double.TryParse accepts with AllowLeadingSign,
// AllowDecimalPoint and AllowExponent: [+-] digits [. digits] [e [+-] digits],
// where either side of the point may be empty but not both. Go's ParseFloat
// alone would also take "inf", "0x1p3" and underscores.
func isDecimal(s string) bool {
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i++
	}
	intDigits := countDigits(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = countDigits(s[i:])
		i += fracDigits
	}
	if intDigits+fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := countDigits(s[i:])
		if expDigits == 0 {
			return false
		}
		i += expDigits
	}
	return i == len(s)
}

func countDigits(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// parseInt32 parses digits in base 16 or 8 as .NET's Int32.TryParse with
// AllowHexSpecifier and Convert.ToInt32(s, 8) do: the value must fit in 32
// bits and is read as two's complement, so 0xffffffff is -1.
func parseInt32(digits string, base int) float64 {
	u, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return math.NaN()
	}
	return float64(int32(uint32(u)))
}

// formatNumber is .NET's Double.ToString("G15") as GitHub converts numbers
// to strings: at most 15 significant digits, no trailing zeros, scientific
// notation ("1E+20", "1E-05") when the exponent is -5 or less, or 15 or more,
// and -0 written as 0.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	return string(appendNumber(nil, f))
}

// appendNumber appends formatNumber(f) for a finite non-zero f.
func appendNumber(b []byte, f float64) []byte {
	var buf [32]byte
	// d.dddddddddddddde±XX: 15 significant digits, correctly rounded.
	e := strconv.AppendFloat(buf[:0], f, 'e', 14, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mark := strings.IndexByte(string(e), 'e')
	exp, _ := strconv.Atoi(string(e[mark+1:]))
	digits := append([]byte{e[0]}, e[2:mark]...)
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if neg {
		b = append(b, '-')
	}
	if exp < -4 || exp >= 15 {
		return appendScientific(b, digits, exp)
	}
	return appendFixed(b, digits, exp)
}

func appendScientific(b, digits []byte, exp int) []byte {
	b = append(b, digits[0])
	if len(digits) > 1 {
		b = append(b, '.')
		b = append(b, digits[1:]...)
	}
	b = append(b, 'E')
	if exp < 0 {
		b = append(b, '-')
		exp = -exp
	} else {
		b = append(b, '+')
	}
	if exp < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(exp), 10)
}

func appendFixed(b, digits []byte, exp int) []byte {
	if exp < 0 {
		b = append(b, '0', '.')
		for i := -1; i > exp; i-- {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	for i := 0; i <= exp; i++ {
		if i < len(digits) {
			b = append(b, digits[i])
		} else {
			b = append(b, '0')
		}
	}
	if len(digits) > exp+1 {
		b = append(b, '.')
		b = append(b, digits[exp+1:]...)
	}
	return b
}
