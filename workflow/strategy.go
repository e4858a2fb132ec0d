package workflow

import yaml "go.yaml.in/yaml/v4"

// Strategy is `jobs.<id>.strategy`.
type Strategy struct {
	Matrix      *Matrix      // nil when absent
	FailFast    BoolOrExpr   // GitHub's default is true when !FailFast.Set
	MaxParallel NumberOrExpr // unlimited when !MaxParallel.Set
}

// Matrix is `strategy.matrix` as written. The engine resolves the
// expressions it contains and passes the result to ExpandMatrix.
type Matrix struct {
	Pos Pos
	// Expr holds the matrix when it is one ${{ }} string, such as
	// ${{ fromJSON(needs.setup.outputs.matrix) }}; Entries is then nil.
	Expr string
	// Entries is the mapping in file order, `include` and `exclude`
	// included. A vector's value is a []any or an expression string;
	// include/exclude hold a []any of entries ([]KV, or expression strings)
	// or an expression string. Scalars keep their YAML types (string,
	// float64, bool, nil) and nested mappings are []KV.
	Entries []KV
}

func strategyOf(n *yaml.Node) *Strategy {
	if kindOf(n) != yaml.MappingNode {
		return nil
	}
	s := &Strategy{}
	for _, e := range entries(n) {
		switch e.name {
		case "matrix":
			s.Matrix = matrixOf(e.val)
		case "fail-fast":
			s.FailFast = boolOrExpr(e.val)
		case "max-parallel":
			s.MaxParallel = numberOrExpr(e.val)
		}
	}
	return s
}

func matrixOf(n *yaml.Node) *Matrix {
	n = deref(n)
	if n == nil {
		return nil
	}
	m := &Matrix{Pos: posOf(n)}
	if s, ok := scalar(n); ok {
		m.Expr = s
		return m
	}
	if v, ok := rawValue(n, 0).([]KV); ok {
		m.Entries = v
	}
	return m
}
