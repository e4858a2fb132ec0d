package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// actionStage is which script of a JavaScript action a step runs.
type actionStage int

const (
	stageMain actionStage = iota
	stagePre
	stagePost
)

func (s actionStage) String() string {
	switch s {
	case stagePre:
		return "pre"
	case stagePost:
		return "post"
	}
	return "main"
}

// actionPhase is the pre or the post step of a JavaScript action's step.
// As on GitHub, pre steps are found in "Set up job" and run before the
// job's steps, in their order, under the action's pre-if; a post step is
// registered when its main step runs and runs after the job's steps, the
// last registered first, under post-if. Both default to always(), and
// their status functions see the job's status. The three stages of one
// step share its state: what one saves with GITHUB_STATE (or
// ::save-state) the later ones get as STATE_<name>.
type actionPhase struct {
	stage actionStage
	sc    *scope // the scope of the action's step
	st    *workflow.Step
	id    string
	uses  string
	dir   string // the action's directory
	m     *actionManifest
	state *envList
	name  string // the main step's display name, for "Post …"
}

// condition is pre-if or post-if.
func (ph *actionPhase) condition() string {
	if ph.stage == stagePre {
		return ph.m.preIf
	}
	return ph.m.postIf
}

// script is the stage's script, relative to the action's directory.
func (m *actionManifest) script(stage actionStage) string {
	switch stage {
	case stagePre:
		return m.pre
	case stagePost:
		return m.post
	}
	return m.main
}

// stateOf is the state of the action of step id in scope sc: shared with
// its pre step for the job's own steps.
func (j *jobRun) stateOf(sc *scope, id string) *envList {
	if sc != j.top {
		return newEnvList()
	}
	key := strings.ToLower(id)
	if j.states[key] == nil {
		j.states[key] = newEnvList()
	}
	return j.states[key]
}

// runNodeMain runs a JavaScript action's main script, having registered
// its post step first (a post step runs even when main fails).
func (j *jobRun) runNodeMain(sr *stepRun, uses, dir string, m *actionManifest) string {
	sr.state = j.stateOf(sr.sc, sr.id)
	if m.post != "" {
		sc := sr.sc
		if sc != j.top {
			// The post step of an action inside a composite one runs
			// after the job's steps: without the composite's timeout.
			c := *sc
			c.parent, c.deadline = j.top, time.Time{}
			sc = &c
		}
		j.posts = append(j.posts, &actionPhase{stage: stagePost, sc: sc, st: sr.st, id: sr.id, uses: uses, dir: dir, m: m,
			state: sr.state, name: sr.name})
	}
	return j.runNode(sr, uses, dir, m, stageMain)
}

// runNode runs one script of a JavaScript action with the machine's node
// (whatever runs.using names: node12 to node24) in the workspace, as
// GitHub's NodeScriptActionHandler does: inputs (with:, then the
// defaults) as INPUT_<NAME>, the state as STATE_<name>, the step's
// environment and env files; what it writes to GITHUB_OUTPUT becomes the
// step's outputs.
func (j *jobRun) runNode(sr *stepRun, uses, dir string, m *actionManifest, stage actionStage) string {
	with, err := j.evalWith(sr)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	inputs, err := j.actionInputs(sr, m, with, stage == stageMain)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	// The runner passes the with: values the action does not declare too.
	with.each(func(k, v string) {
		if _, ok := inputs.getFold(k); !ok {
			inputs.set(k, v)
		}
	})
	if stage == stagePost {
		j.log.output(sr.n, "Post job cleanup.")
	} else {
		j.printActionHeader(sr, uses, inputs)
	}
	node := which("node", searchDirs(j.paths, j.base))
	if node == "" {
		j.log.errorf(sr.n, fmt.Sprintf("Unable to locate executable file: node. The action '%s' is a JavaScript action (runs.using: %s): this runner runs it with Node.js, which must be installed and on its PATH.", uses, m.using))
		return resultFailure
	}
	script := m.script(stage)
	path := filepath.Join(dir, filepath.FromSlash(script))
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		j.log.errorf(sr.n, fmt.Sprintf("File not found: '%s' (runs.%s: %s of the action '%s')", path, stage, script, uses))
		return resultFailure
	}
	extra := newEnvList()
	inputs.each(func(k, v string) { extra.set(inputVar(k), v) })
	if sr.state != nil {
		sr.state.each(func(k, v string) { extra.set("STATE_"+k, v) })
	}
	sr.procExtra = extra
	sr.exitMessage = func(code int) string {
		return fmt.Sprintf("The action '%s' failed: node %s exited with code %d.", uses, script, code)
	}
	return j.runProcess(sr, node, []string{path}, j.dirs.workspace)
}

// inputVar is the variable of an action input: INPUT_ and the name in
// upper case, spaces replaced by '_'.
func inputVar(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// runPhase runs a pre or post step as step n of the job. Its failure
// fails the job, unless the step has continue-on-error.
func (j *jobRun) runPhase(ph *actionPhase, n int) {
	sr, err := j.newStepRun(ph.sc, ph.st, ph.id, n)
	sr.phase, sr.state = ph, ph.state
	if err == nil {
		err = j.applyStepEnv(sr)
	}
	if ph.stage == stagePost {
		sr.name = "Post " + ph.name
	} else {
		sr.name = j.mask.mask("Pre " + j.stepDisplayName(sr))
	}
	j.log.started(n, sr.name)
	end := j.decideAndRun(sr, err)
	if end.conclusion == resultFailure {
		j.top.status = mergeStatus(j.top.status, expr.StatusFailure)
	}
	j.log.finished(n, end.outcome, end.conclusion)
}
