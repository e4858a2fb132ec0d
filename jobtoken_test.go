package dispatchd

import (
	"strings"
	"testing"
)

func TestJobToken(t *testing.T) {
	key := []byte("server key")
	for _, id := range []int64{1, 42, 1 << 40} {
		for range 50 { // MACs of every shape, '-' and '_' included
			tok := NewJobToken(key, id)
			if got, err := ParseJobToken(key, tok); err != nil || got != id {
				t.Fatalf("ParseJobToken(%q) = %d, %v", tok, got, err)
			}
		}
	}
	tok := NewJobToken(key, 7)
	for _, bad := range []string{
		tok[:len(tok)-1], // truncated MAC
		strings.Replace(tok, "dsj_7.", "dsj_8.", 1), // another job
		"dsj_7", "dsj_", "dsp_7.x.y", "",
	} {
		if _, err := ParseJobToken(key, bad); err == nil {
			t.Errorf("ParseJobToken(%q) accepted", bad)
		}
	}
	if _, err := ParseJobToken([]byte("other key"), tok); err == nil {
		t.Error("a token of another server's key was accepted")
	}
}
