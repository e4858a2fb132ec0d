package dispatchd

import (
	"regexp"
	"testing"
)

func TestNewDeliveryGUID(t *testing.T) {
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		g := NewDeliveryGUID()
		if !uuid4.MatchString(g) || seen[g] {
			t.Fatalf("NewDeliveryGUID() = %q (seen: %v)", g, seen[g])
		}
		seen[g] = true
	}
}
