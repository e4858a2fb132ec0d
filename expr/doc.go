// Package expr evaluates GitHub Actions' ${{ }} expression language the way
// GitHub's C# runner does (src/Sdk/DTExpressions2 in actions/runner), which
// is the implementation that decides what a workflow really does. The rules,
// with their sources, are in WORKFLOW_SEMANTICS.md §1 and §4 of the shared
// material; testdata/expressions.json in the module root holds the vectors the
// package is checked against.
//
// The package has its own small lexer and recursive-descent parser instead of
// actionlint's: GitHub's grammar differs from actionlint's in number forms
// (0o777, Infinity, NaN, -Infinity, .5), in what is a lex error and what a
// parse error, in the nesting and length limits, in rejecting unknown
// functions and arities at parse time, in case-insensitive function names,
// and in case(). Matching all of that around actionlint would have cost more
// than the ~400 lines the parser takes.
//
// # Values
//
// A value is one of: nil, bool, float64, string, []any, *Object. Contexts
// passed in Context.Values must use only these types; FromJSON produces them
// from JSON with key order kept. Arrays and objects compare equal only to the
// same instance (for []any: the same backing array and length).
//
// # Entry points
//
//   - Parse / Evaluate: one expression, the text between ${{ and }}.
//   - ParseTemplate / EvalTemplate: a YAML string value that may contain
//     ${{ }}; exactly one ${{ X }} keeps X's type, anything else is a string.
//   - ParseIf / EvalIf: the YAML value of a job or step if:, with the implicit
//     success() && (…) rule.
//
// A parsed Expr is immutable and may be evaluated from several goroutines at
// once, as long as nothing modifies the context values meanwhile.
//
// Errors are *Error values with a 1-based line and column and a kind (lex,
// parse or eval). Nothing in the package panics on any input; parsing is
// bounded by GitHub's limits (21,000 characters, depth 50).
package expr
