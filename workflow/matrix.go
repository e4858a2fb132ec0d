package workflow

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// MaxMatrixJobs is GitHub's limit on the jobs one matrix may produce.
const MaxMatrixJobs = 256

// maxMatrixProduct bounds the cartesian product walked before excludes are
// applied, so that a matrix of many long vectors fails fast instead of
// iterating billions of combinations to find that most are excluded.
const maxMatrixProduct = 4096

// MatrixCombo is one job of an expanded matrix: the vectors' keys in matrix
// order, then the keys that include entries added, in their order.
type MatrixCombo []KV

// Get returns the value of key; matrix keys are case-insensitive.
func (c MatrixCombo) Get(key string) (any, bool) { return Lookup(c, key) }

// Map returns the combination as the `matrix` context: nested []KV objects
// become map[string]any.
func (c MatrixCombo) Map() map[string]any {
	m, _ := plain([]KV(c)).(map[string]any)
	return m
}

func plain(v any) any {
	switch v := v.(type) {
	case []KV:
		m := make(map[string]any, len(v))
		for _, kv := range v {
			m[kv.Key] = plain(kv.Value)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// ExpandMatrix expands a resolved strategy.matrix (WORKFLOW_SEMANTICS §10).
// m is the matrix mapping in file order with every expression already
// evaluated: each vector is a []any; `include` and `exclude` are lists whose
// entries are []KV (ordered) or map[string]any (taken in sorted key order).
//
//  1. The cartesian product of the vectors, the first key varying slowest.
//  2. Combinations that match every key of some exclude entry are removed.
//  3. Each include entry, in order, is merged into every original
//     combination whose original keys it does not contradict (it may
//     overwrite values added by earlier includes); if it fits none, it is
//     appended as a combination of its own. Includes never merge into
//     combinations created by earlier includes.
//
// A matrix with only include entries yields one job per entry. Values are
// compared by deep equality; keys case-insensitively.
func ExpandMatrix(m []KV) ([]MatrixCombo, error) {
	var vectors []KV
	var include, exclude [][]KV
	for _, kv := range m {
		switch kv.Key {
		case "include", "exclude":
			entries, err := matrixEntries(kv.Key, kv.Value)
			if err != nil {
				return nil, err
			}
			if kv.Key == "include" {
				include = entries
			} else {
				exclude = entries
			}
		default:
			vals, ok := kv.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("Matrix vector '%s' must be a list of values, not %s", kv.Key, describe(kv.Value))
			}
			if len(vals) == 0 {
				return nil, fmt.Errorf("Matrix vector '%s' does not contain any values", kv.Key)
			}
			vectors = append(vectors, kv)
		}
	}
	if len(vectors) == 0 && len(include) == 0 {
		return nil, fmt.Errorf("Matrix must define at least one vector")
	}
	// Every original combination holds the vectors' keys at the same
	// positions, so lookups by key go through one index instead of a scan.
	index := make(map[string]int, len(vectors))
	for i, v := range vectors {
		k := strings.ToLower(v.Key)
		if _, dup := index[k]; dup {
			return nil, fmt.Errorf("Matrix vector '%s' is defined more than once", v.Key)
		}
		index[k] = i
	}
	excludes := make([][]indexed, 0, len(exclude))
	for _, ex := range exclude {
		conds := make([]indexed, 0, len(ex))
		for _, kv := range ex {
			i, ok := index[strings.ToLower(kv.Key)]
			if !ok {
				return nil, fmt.Errorf("Matrix exclude key '%s' does not match any key within the matrix", kv.Key)
			}
			conds = append(conds, indexed{i, kv.Value})
		}
		excludes = append(excludes, conds)
	}

	combos, err := product(vectors, excludes)
	if err != nil {
		return nil, err
	}
	originals := len(combos)
	for _, inc := range include {
		var conds []indexed // the entry's values for original keys
		var added []KV      // and its other keys
		for _, kv := range inc {
			if i, ok := index[strings.ToLower(kv.Key)]; ok {
				conds = append(conds, indexed{i, kv.Value})
			} else {
				added = append(added, kv)
			}
		}
		merged := false
		for i := 0; i < originals; i++ {
			if !matches(combos[i], conds) {
				continue
			}
			merged = true
			for _, kv := range added {
				combos[i] = set(combos[i], len(vectors), kv)
			}
		}
		if !merged {
			combos = append(combos, append(MatrixCombo(nil), inc...))
		}
		if len(combos) > MaxMatrixJobs {
			return nil, tooManyJobs()
		}
	}
	return combos, nil
}

// indexed is a condition on an original key, by its position.
type indexed struct {
	pos   int
	value any
}

func matches(c MatrixCombo, conds []indexed) bool {
	for _, cond := range conds {
		if !equalValues(c[cond.pos].Value, cond.value) {
			return false
		}
	}
	return true
}

func tooManyJobs() error {
	return fmt.Errorf("Matrix produces more than %d jobs, the maximum for one job's strategy", MaxMatrixJobs)
}

// product returns the combinations of the vectors that no exclude entry
// matches, without ever holding more than MaxMatrixJobs of them.
func product(vectors []KV, excludes [][]indexed) ([]MatrixCombo, error) {
	if len(vectors) == 0 {
		return nil, nil // only include entries: they become the jobs
	}
	total := 1
	for _, v := range vectors {
		total *= len(v.Value.([]any))
		if total > maxMatrixProduct {
			return nil, tooManyJobs()
		}
	}
	idx := make([]int, len(vectors))
	var out []MatrixCombo
	for range total {
		c := make(MatrixCombo, len(vectors))
		for i, v := range vectors {
			c[i] = KV{Key: v.Key, Value: v.Value.([]any)[idx[i]]}
		}
		if !slices.ContainsFunc(excludes, func(conds []indexed) bool { return matches(c, conds) }) {
			if len(out) == MaxMatrixJobs {
				return nil, tooManyJobs()
			}
			out = append(out, c)
		}
		// Odometer: the last vector varies fastest.
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(vectors[i].Value.([]any)) {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// set overwrites a key that an earlier include added to c (keeping its
// place) or appends it; the first n keys are the vectors'.
func set(c MatrixCombo, n int, kv KV) MatrixCombo {
	for i := n; i < len(c); i++ {
		if strings.EqualFold(c[i].Key, kv.Key) {
			c[i].Value = kv.Value
			return c
		}
	}
	return append(c, kv)
}

func matrixEntries(key string, v any) ([][]KV, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("Matrix '%s' must be a list of mappings, not %s", key, describe(v))
	}
	out := make([][]KV, 0, len(list))
	for i, e := range list {
		kvs, ok := object(e)
		if !ok {
			return nil, fmt.Errorf("Matrix '%s' entry %d must be a mapping, not %s", key, i+1, describe(e))
		}
		out = append(out, kvs)
	}
	return out, nil
}

// object accepts both object representations: []KV from a workflow file,
// map[string]any from an evaluated expression (sorted: JSON order is lost).
func object(v any) ([]KV, bool) {
	switch v := v.(type) {
	case []KV:
		return v, true
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]KV, 0, len(keys))
		for _, k := range keys {
			out = append(out, KV{Key: k, Value: v[k]})
		}
		return out, true
	}
	return nil, false
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if hasExpr(v) {
			return fmt.Sprintf("the unevaluated expression %q", v)
		}
		return fmt.Sprintf("the string %q", v)
	case bool:
		return "a boolean"
	case []KV, map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return "a number"
}

// equalValues is deep equality over the values of a matrix. Numbers of any
// Go type compare by value; objects compare keys case-insensitively.
func equalValues(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	if oa, ok := object(a); ok {
		ob, ok := object(b)
		if !ok || len(oa) != len(ob) {
			return false
		}
		for _, kv := range oa {
			v, ok := Lookup(ob, kv.Key)
			if !ok || !equalValues(kv.Value, v) {
				return false
			}
		}
		return true
	}
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case nil:
		return b == nil
	}
	return false
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}
