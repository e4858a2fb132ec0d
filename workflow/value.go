package workflow

import "strings"

// Pos is a 1-based position in a workflow file.
type Pos struct {
	Line   int
	Column int
}

// KV is one key of an ordered mapping. Matrices need their key order (the
// cartesian product and the job names follow it), which a Go map loses.
type KV struct {
	Key   string
	Value any
}

// Lookup returns the value of key in kvs, comparing keys case-insensitively
// as GitHub does for matrix keys and contexts.
func Lookup(kvs []KV, key string) (any, bool) {
	for _, kv := range kvs {
		if strings.EqualFold(kv.Key, key) {
			return kv.Value, true
		}
	}
	return nil, false
}

// Pair is one entry of a string mapping (env, with, outputs), in file order.
// Values are kept as written: GitHub turns every scalar into a string there,
// and ${{ }} expressions stay unevaluated.
type Pair struct {
	Name  string
	Value string
}

// Env is an `env:` section. GitHub's schema only allows a mapping; Expr holds
// the value when a whole `${{ }}` was written instead, so that the engine can
// decide what to do with it rather than silently losing it.
type Env struct {
	Vars []Pair
	Expr string
}

// Get returns the value of the variable name (environment variable names are
// case-sensitive on the Linux runners dispatchd uses).
func (e Env) Get(name string) (string, bool) {
	for _, p := range e.Vars {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// BoolOrExpr is a key that takes a boolean or a ${{ }} expression, such as
// continue-on-error or fail-fast. Set is false when the key is absent.
type BoolOrExpr struct {
	Set   bool
	Value bool
	Expr  string // the raw ${{ }} string when the value is an expression
}

// NumberOrExpr is a key that takes a number or a ${{ }} expression, such as
// timeout-minutes or max-parallel. Set is false when the key is absent.
type NumberOrExpr struct {
	Set   bool
	Value float64
	Expr  string // the raw ${{ }} string when the value is an expression
}
