package api

import (
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// parseCreated reads GitHub's search syntax for the `created` filter:
// D, >D, >=D, <D, <=D, A..B, A..*, *..B, where a date (2006-01-02) stands
// for its whole day and a date-time (RFC 3339) for its instant. The result
// is an inclusive range; zero bounds are open.
func parseCreated(q string) (min, max time.Time, err error) {
	bad := dispatchd.Errorf(dispatchd.EINVALID, "created %q is not a date range: use e.g. >=2024-01-01, 2024-01-01..2024-01-31 or 2024-01-01T00:00:00Z", q)
	switch {
	case strings.Contains(q, ".."):
		a, b, _ := strings.Cut(q, "..")
		if a != "*" {
			if min, _, err = instant(a); err != nil {
				return min, max, bad
			}
		}
		if b != "*" {
			if _, max, err = instant(b); err != nil {
				return min, max, bad
			}
		}
	case strings.HasPrefix(q, ">="):
		min, _, err = instant(q[2:])
	case strings.HasPrefix(q, "<="):
		_, max, err = instant(q[2:])
	case strings.HasPrefix(q, ">"):
		_, end, e := instant(q[1:])
		min, err = end.Add(time.Microsecond), e
	case strings.HasPrefix(q, "<"):
		start, _, e := instant(q[1:])
		max, err = start.Add(-time.Microsecond), e
	default:
		min, max, err = instant(q)
	}
	if err != nil {
		return time.Time{}, time.Time{}, bad
	}
	return min, max, nil
}

// instant is the first and last microsecond a date or date-time denotes.
func instant(s string) (first, last time.Time, err error) {
	if d, err := time.Parse("2006-01-02", s); err == nil {
		return d, d.Add(24*time.Hour - time.Microsecond), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), t.UTC(), err
}
