package engine

import (
	"sort"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// toExpr converts the workflow model's values ([]KV mappings, []any
// sequences, scalars) to expression values.
func toExpr(v any) any {
	switch v := v.(type) {
	case []workflow.KV:
		o := expr.NewObject()
		for _, kv := range v {
			o.Set(kv.Key, toExpr(kv.Value))
		}
		return o
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toExpr(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := expr.NewObject()
		for _, k := range keys {
			o.Set(k, toExpr(v[k]))
		}
		return o
	case int:
		return float64(v)
	}
	return v
}

// fromExpr converts an expression value back to the model's shapes, for
// ExpandMatrix.
func fromExpr(v any) any {
	switch v := v.(type) {
	case *expr.Object:
		var kvs []workflow.KV
		for k, e := range v.All() {
			kvs = append(kvs, workflow.KV{Key: k, Value: fromExpr(e)})
		}
		return kvs
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = fromExpr(e)
		}
		return out
	}
	return v
}

// object builds an expression object from pairs, in order.
func object(pairs ...any) *expr.Object {
	o := expr.NewObject()
	for i := 0; i+1 < len(pairs); i += 2 {
		o.Set(pairs[i].(string), pairs[i+1])
	}
	return o
}

// stringMap converts job outputs to an object.
func stringMap(m map[string]string, order []string) *expr.Object {
	o := expr.NewObject()
	for _, k := range order {
		if v, ok := m[k]; ok {
			o.Set(k, v)
		}
	}
	return o
}
