// Package seal keeps secrets secret: clients encrypt values to a public key
// per repository or organization, as GitHub's secrets API expects (a
// libsodium sealed box), and dispatchd stores them encrypted under its
// server key (AES-256-GCM). Every key derives from the server key, so there
// is no key material to store besides it.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// Keys derives the keys from the server key.
type Keys struct{ server []byte }

// New returns the keys of a server key (32 bytes).
func New(serverKey []byte) Keys { return Keys{server: serverKey} }

func (k Keys) derive(label string) [32]byte {
	m := hmac.New(sha256.New, k.server)
	m.Write([]byte(label))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// owner names what a key pair belongs to: "repo:42" or "org:7".
func owner(scope string, id int64) string { return scope + ":" + strconv.FormatInt(id, 10) }

func (k Keys) pair(scope string, id int64) (pub, priv [32]byte) {
	priv = k.derive("sealed-box|" + owner(scope, id))
	p, _ := curve25519.X25519(priv[:], curve25519.Basepoint)
	copy(pub[:], p)
	return pub, priv
}

// PublicKey returns GitHub's public-key object for a repository or an
// organization: a key id and the base64 public key.
func (k Keys) PublicKey(scope string, id int64) (keyID, key string) {
	pub, _ := k.pair(scope, id)
	sum := sha256.Sum256(pub[:])
	return strconv.FormatUint(binary.BigEndian.Uint64(sum[:8])>>1, 10), base64.StdEncoding.EncodeToString(pub[:])
}

// ErrUnsealable is a value not sealed to this public key.
var ErrUnsealable = errors.New("the value could not be decrypted with this repository's or organization's public key")

// Open decrypts a client's base64 sealed box.
func (k Keys) Open(scope string, id int64, sealedB64 string) ([]byte, error) {
	sealed, err := base64.StdEncoding.DecodeString(sealedB64)
	if err != nil {
		return nil, ErrUnsealable
	}
	pub, priv := k.pair(scope, id)
	plain, ok := box.OpenAnonymous(nil, sealed, &pub, &priv)
	if !ok {
		return nil, ErrUnsealable
	}
	return plain, nil
}

// SealFor encrypts a value to a base64 public key, as a client does.
func SealFor(publicKeyB64 string, value []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(publicKeyB64)
	if err != nil || len(raw) != 32 {
		return "", errors.New("the public key is not 32 bytes of base64")
	}
	var pub [32]byte
	copy(pub[:], raw)
	out, err := box.SealAnonymous(nil, value, &pub, rand.Reader)
	return base64.StdEncoding.EncodeToString(out), err
}

func (k Keys) aead() cipher.AEAD {
	key := k.derive("at-rest")
	block, _ := aes.NewCipher(key[:])
	g, _ := cipher.NewGCM(block)
	return g
}

// Encrypt seals a value for storage; name binds the ciphertext to the
// secret it belongs to, so a stored value cannot be moved to another.
func (k Keys) Encrypt(name string, plain []byte) []byte {
	g := k.aead()
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, plain, []byte(name))
}

// Decrypt opens a stored value.
func (k Keys) Decrypt(name string, sealed []byte) ([]byte, error) {
	g := k.aead()
	if len(sealed) < g.NonceSize() {
		return nil, errors.New("stored secret is truncated")
	}
	return g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], []byte(name))
}
