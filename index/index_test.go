package index

import (
	"reflect"
	"testing"

	"github.com/dispatchd/dispatchd"
)

func TestDiffRefs(t *testing.T) {
	before := map[string]string{"refs/heads/main": "a", "refs/heads/gone": "b", "refs/tags/v1": "c"}
	after := map[string]string{"refs/heads/main": "d", "refs/tags/v1": "c", "refs/heads/new": "e"}
	want := []dispatchd.RefUpdate{
		{Name: "refs/heads/gone", OldSHA: "b"},
		{Name: "refs/heads/main", OldSHA: "a", NewSHA: "d"},
		{Name: "refs/heads/new", NewSHA: "e"},
	}
	if got := diffRefs(before, after); !reflect.DeepEqual(got, want) {
		t.Fatalf("diffRefs = %+v, want %+v", got, want)
	}
	if got := diffRefs(after, after); len(got) != 0 {
		t.Fatalf("no change = %+v", got)
	}
}
