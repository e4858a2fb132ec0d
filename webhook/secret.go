package webhook

import "github.com/dispatchd/dispatchd"

// Keys seal hook secrets under the server key; seal.Keys is one.
type Keys interface {
	Encrypt(name string, plain []byte) []byte
	Decrypt(name string, sealed []byte) ([]byte, error)
}

// SealSecret sets h.SealedSecret from h.Secret (nil when it is empty),
// for the store; h's Scope and OwnerID must be set.
func SealSecret(k Keys, h *dispatchd.Hook) {
	h.SealedSecret = nil
	if h.Secret != "" {
		h.SealedSecret = k.Encrypt(dispatchd.HookSecretAAD(h.Scope, h.OwnerID), []byte(h.Secret))
	}
}

// OpenSecret sets h.Secret from h.SealedSecret.
func OpenSecret(k Keys, h *dispatchd.Hook) error {
	h.Secret = ""
	if len(h.SealedSecret) == 0 {
		return nil
	}
	plain, err := k.Decrypt(dispatchd.HookSecretAAD(h.Scope, h.OwnerID), h.SealedSecret)
	if err != nil {
		return err
	}
	h.Secret = string(plain)
	return nil
}
