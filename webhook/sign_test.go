package webhook_test

import (
	"testing"

	"github.com/dispatchd/dispatchd/webhook"
	"github.com/google/go-github/v92/github"
)

func TestSign(t *testing.T) {
	// GitHub's test vector (validating-webhook-deliveries).
	body := []byte("Hello, World!")
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := webhook.Sign256("It's a Secret to Everybody", body); got != want {
		t.Fatalf("Sign256 = %s, want %s", got, want)
	}
	if err := github.ValidateSignature(webhook.Sign1("It's a Secret to Everybody", body), body,
		[]byte("It's a Secret to Everybody")); err != nil {
		t.Fatalf("go-github refuses Sign1: %v", err)
	}
}
