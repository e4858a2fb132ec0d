package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dirs is the job's layout below WorkDir, GitHub's runner layout:
//
//	<work>/<repo>/<repo>             GITHUB_WORKSPACE, the default working directory
//	<work>/_temp                     RUNNER_TEMP, emptied when the job starts and ends
//	<work>/_temp/_github_workflow    the event file
//	<work>/_temp/_runner_file_commands  the per-step GITHUB_OUTPUT, GITHUB_ENV, … files
//	<work>/_tool                     RUNNER_TOOL_CACHE
//
// Like a GitHub runner's work directory, WorkDir belongs to one job at a
// time.
type dirs struct {
	workspace       string
	runnerWorkspace string
	temp            string
	toolCache       string
	fileCommands    string
	eventPath       string
}

func newDirs(workDir, repository string) dirs {
	repo := repoDirName(repository)
	temp := filepath.Join(workDir, "_temp")
	return dirs{
		workspace:       filepath.Join(workDir, repo, repo),
		runnerWorkspace: filepath.Join(workDir, repo),
		temp:            temp,
		toolCache:       filepath.Join(workDir, "_tool"),
		fileCommands:    filepath.Join(temp, "_runner_file_commands"),
		eventPath:       filepath.Join(temp, "_github_workflow", "event.json"),
	}
}

// repoDirName is the repository's name from owner/name, made safe as one
// path element.
func repoDirName(repository string) string {
	name := repository[strings.LastIndexByte(repository, '/')+1:]
	if name == "" || name == "." || name == ".." {
		return "repo"
	}
	return name
}

// prepare creates the directories, with an empty temp directory, and
// writes the event payload.
func (d dirs) prepare(event []byte) error {
	if err := os.RemoveAll(d.temp); err != nil {
		return err
	}
	for _, dir := range []string{d.workspace, d.toolCache, d.fileCommands, filepath.Dir(d.eventPath)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(d.eventPath, event, 0o644)
}

// cleanup empties the temp directory at the end of the job.
func (d dirs) cleanup() {
	if d.temp != "" {
		_ = os.RemoveAll(d.temp)
	}
}

// stepFiles are one step's environment files (§7): new and empty for every
// step, processed after its process exits.
type stepFiles struct {
	output, env, path, summary, state string
}

// newStepFiles creates the files with the runner's names
// (set_output_<id>, …) so that scripts see paths they recognise.
func (d dirs) newStepFiles() (stepFiles, error) {
	id := randomID()
	f := stepFiles{
		output:  filepath.Join(d.fileCommands, "set_output_"+id),
		env:     filepath.Join(d.fileCommands, "set_env_"+id),
		path:    filepath.Join(d.fileCommands, "add_path_"+id),
		summary: filepath.Join(d.fileCommands, "step_summary_"+id),
		state:   filepath.Join(d.fileCommands, "save_state_"+id),
	}
	for _, p := range []string{f.output, f.env, f.path, f.summary, f.state} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return stepFiles{}, err
		}
	}
	return f, nil
}

// randomID is a random GUID-like string for file names.
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on Linux
	}
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
