package runner

import (
	"fmt"
	"os"
	"strings"
)

// Step summary limits (§7): a larger summary is an error annotation and is
// dropped; a job shows the first maxSummaries.
const (
	maxSummaryBytes = 1 << 20
	maxSummaries    = 20
)

// processFiles applies a step's environment files after its process has
// exited, in the runner's order (path, env, step summary, state, output).
// It reports false when a file was malformed, which fails the step; the
// entries read before the error are applied all the same.
func (j *jobRun) processFiles(sr *stepRun) bool {
	if sr.files.output == "" { // the files could not be created
		return true
	}
	ok := true
	fail := func(name string, err error) {
		j.log.errorf(sr.n, fmt.Sprintf("Unable to process file command '%s' successfully.", name))
		j.log.errorf(sr.n, err.Error())
		ok = false
	}
	j.processPathFile(sr)
	if err := j.processEnvFile(sr); err != nil {
		fail("env", err)
	}
	j.processSummaryFile(sr)
	states, err := readEnvFile(sr.files.state)
	if sr.state != nil { // a JavaScript action's: for its later stages
		for _, p := range states {
			sr.state.set(p.name, p.value)
		}
	}
	if err != nil {
		fail("state", err)
	}
	pairs, err := readEnvFile(sr.files.output)
	for _, p := range pairs {
		sr.outputs.set(p.name, p.value)
	}
	if err != nil {
		fail("output", err)
	}
	return ok
}

// readEnvFile parses an environment file; a file the step deleted is
// empty.
func readEnvFile(path string) ([]envPair, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	return parseEnvFile(string(data))
}

// processPathFile prepends each non-blank GITHUB_PATH line to PATH for the
// later steps. Lines end at \n, \r\n or \r (File.ReadAllLines).
func (j *jobRun) processPathFile(sr *stepRun) {
	data, err := os.ReadFile(sr.files.path)
	if err != nil {
		return
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			j.paths = addPathEntry(j.paths, line)
		}
	}
}

// processEnvFile applies GITHUB_ENV to the job's environment. NODE_OPTIONS
// is refused with an error annotation, which does not fail the step.
func (j *jobRun) processEnvFile(sr *stepRun) error {
	pairs, err := readEnvFile(sr.files.env)
	for _, p := range pairs {
		if strings.EqualFold(p.name, "NODE_OPTIONS") {
			j.log.errorf(sr.n, "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")
			continue
		}
		j.setJobEnv(sr.sc, p.name, p.value)
	}
	return err
}

// processSummaryFile collects the step's summary, masked.
func (j *jobRun) processSummaryFile(sr *stepRun) {
	data, err := os.ReadFile(sr.files.summary)
	if err != nil || len(data) == 0 {
		return
	}
	if len(data) > maxSummaryBytes {
		j.log.errorf(sr.n, fmt.Sprintf("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of %dk, got %dk. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary",
			maxSummaryBytes/1024, len(data)/1024))
		return
	}
	if len(j.summary) < maxSummaries {
		j.summary = append(j.summary, j.mask.mask(string(data)))
	}
}
