package seal

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealedBoxRoundTrip(t *testing.T) {
	k := New(bytes.Repeat([]byte{7}, 32))
	id, pub := k.PublicKey("repo", 42)
	if id2, pub2 := k.PublicKey("repo", 42); id2 != id || pub2 != pub {
		t.Fatal("the public key is not stable")
	}
	if _, other := k.PublicKey("repo", 43); other == pub {
		t.Fatal("two repositories share a key")
	}
	sealed, err := SealFor(pub, []byte("s3cr3t"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := k.Open("repo", 42, sealed)
	if err != nil || string(plain) != "s3cr3t" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := k.Open("repo", 43, sealed); err != ErrUnsealable {
		t.Fatalf("opened with another repository's key: %v", err)
	}
	if _, err := k.Open("repo", 42, "not base64!"); err != ErrUnsealable {
		t.Fatalf("bad base64: %v", err)
	}
	if _, err := New(bytes.Repeat([]byte{8}, 32)).Open("repo", 42, sealed); err != ErrUnsealable {
		t.Fatal("opened with another server key")
	}
}

func TestAtRest(t *testing.T) {
	k := New(bytes.Repeat([]byte{1}, 32))
	c := k.Encrypt("repo:1:TOKEN", []byte("value"))
	if bytes.Contains(c, []byte("value")) {
		t.Fatal("ciphertext holds the value")
	}
	if p, err := k.Decrypt("repo:1:TOKEN", c); err != nil || string(p) != "value" {
		t.Fatalf("Decrypt = %q, %v", p, err)
	}
	if _, err := k.Decrypt("repo:1:OTHER", c); err == nil {
		t.Fatal("a stored value moved to another name decrypted")
	}
	if _, err := k.Decrypt("repo:1:TOKEN", c[:5]); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated: %v", err)
	}
}
