// Package workflow reads GitHub Actions workflow files for dispatchd.
//
// It is the only package that knows about github.com/rhysd/actionlint (whose
// library API is not semver-stable) and about the YAML library underneath it:
// everything it exports is plain Go or a dispatchd domain type.
//
//   - Summarize parses and lints one file for the workflow index: name,
//     triggers, problems, validity.
//   - Parse builds the model the engine runs (jobs, steps, strategy, …).
//   - ValidateInputs checks and types the inputs of a workflow_dispatch call.
//   - MatchesRepositoryDispatch, MatchPush and MatchGlob decide which
//     workflows an event triggers.
//   - ExpandMatrix turns a resolved strategy.matrix into job combinations.
//
// Every entry point accepts hostile input: sizes, nesting and YAML aliases are
// bounded before anything walks the document, and panics from the libraries
// become problems instead of crashing the server.
package workflow
