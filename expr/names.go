package expr

import "strings"

// GitHub's limits (ExpressionConstants.cs).
const (
	maxLength = 21000 // characters (UTF-16 code units) in one expression
	maxDepth  = 50    // nodes from the root to the deepest leaf
)

// contextNames are the named values GitHub knows. Any other name is a parse
// error, even where short-circuit evaluation would never reach it. Which of
// them an if: may use depends on its level (see ifContexts).
var contextNames = []string{
	"github", "env", "vars", "job", "jobs", "steps", "runner",
	"secrets", "strategy", "matrix", "needs", "inputs",
}

// lookupContext returns the canonical (lower-case) name of a context.
func lookupContext(name string) (string, bool) {
	for _, c := range contextNames {
		if strings.EqualFold(c, name) {
			return c, true
		}
	}
	return "", false
}

// function describes one built-in function; evaluator.call dispatches on
// the name.
type function struct {
	name     string
	min, max int
	status   bool // success, failure, cancelled, always
}

var functions = []*function{
	{name: "contains", min: 2, max: 2},
	{name: "startsWith", min: 2, max: 2},
	{name: "endsWith", min: 2, max: 2},
	{name: "format", min: 1, max: 255},
	{name: "join", min: 1, max: 2},
	{name: "toJSON", min: 1, max: 1},
	{name: "fromJSON", min: 1, max: 1},
	{name: "hashFiles", min: 1, max: 255},
	{name: "case", min: 3, max: 255},
	// success and failure take job ids at job level (§4.4); the step
	// level rejects arguments (see checkIfLevel).
	{name: "success", min: 0, max: 255, status: true},
	{name: "failure", min: 0, max: 255, status: true},
	{name: "cancelled", min: 0, max: 0, status: true},
	{name: "always", min: 0, max: 0, status: true},
}

// lookupFunction finds a function by name, case-insensitively.
func lookupFunction(name string) *function {
	for _, f := range functions {
		if strings.EqualFold(f.name, name) {
			return f
		}
	}
	return nil
}
