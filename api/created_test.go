package api

import (
	"testing"
	"time"
)

func TestParseCreated(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	end := func(s string) time.Time { return day(s).Add(24*time.Hour - time.Microsecond) }
	for _, c := range []struct {
		q        string
		min, max time.Time
	}{
		{"2024-01-02", day("2024-01-02"), end("2024-01-02")},
		{">=2024-01-02", day("2024-01-02"), time.Time{}},
		{">2024-01-02", day("2024-01-03"), time.Time{}},
		{"<=2024-01-02", time.Time{}, end("2024-01-02")},
		{"<2024-01-02", time.Time{}, end("2024-01-01")},
		{"2024-01-01..2024-01-31", day("2024-01-01"), end("2024-01-31")},
		{"2024-01-01..*", day("2024-01-01"), time.Time{}},
		{"*..2024-01-31", time.Time{}, end("2024-01-31")},
		{">=2024-01-02T10:00:00Z", time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), time.Time{}},
	} {
		min, max, err := parseCreated(c.q)
		if err != nil || !min.Equal(c.min) || !max.Equal(c.max) {
			t.Errorf("parseCreated(%q) = %v, %v, %v; want %v, %v", c.q, min, max, err, c.min, c.max)
		}
	}
	for _, bad := range []string{"", "yesterday", ">=", "2024-13-01", "a..b", "2024-01-01...2024"} {
		if _, _, err := parseCreated(bad); err == nil {
			t.Errorf("parseCreated(%q) accepted", bad)
		}
	}
}
