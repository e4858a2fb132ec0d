// Package dispatchd holds the domain of dispatchd: the types and service
// interfaces that every other package speaks. It depends on nothing but the
// standard library; each subpackage adapts one dependency to it (sqlite/,
// gitrepo/, workflow/, expr/, api/) and cmd/dispatchd wires them together.
package dispatchd

// Version and GitCommit are set at build time with -ldflags.
var (
	Version   = "dev"
	GitCommit = "unknown"
)
