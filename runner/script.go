package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// scriptInputs are a run step's evaluated keys.
type scriptInputs struct {
	script, shell, workingDirectory string
}

// runScript runs a `run:` step as ScriptHandler does (§9): the log header,
// the script in a temp file, the shell in the working directory, the output
// through the command processor, the exit code.
func (j *jobRun) runScript(sr *stepRun) string {
	in, err := j.scriptInputs(sr)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	j.printScript(sr, in.script)
	spec, err := resolveShell(in.shell, searchDirs(j.paths, j.base))
	if err != nil {
		// As in the runner, the header stops here, without ##[endgroup].
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	j.log.output(sr.n, "shell: "+spec.path+" "+spec.format)
	j.printEnv(sr)
	j.log.output(sr.n, "##[endgroup]")
	return j.execScript(sr, in, spec)
}

// scriptInputs evaluates run, shell and working-directory, with the job's
// defaults.run for the job's own steps (not for a composite action's,
// whose run steps must name their shell).
func (j *jobRun) scriptInputs(sr *stepRun) (scriptInputs, error) {
	c := j.exprContext(sr)
	var in scriptInputs
	var errs []error
	eval := func(raw string) string {
		v, err := evalString(raw, c, nil)
		errs = append(errs, err)
		return v
	}
	in.script = eval(sr.st.Run)
	in.shell = eval(sr.st.Shell)
	in.workingDirectory = eval(sr.st.WorkingDirectory)
	if err := errors.Join(errs...); err != nil {
		return in, err
	}
	if sr.sc != j.top {
		if in.shell == "" {
			return in, errors.New("Required property is missing: shell")
		}
		return in, nil
	}
	if in.shell == "" {
		in.shell = j.defaults.shell
	}
	if sr.st.WorkingDirectory == "" {
		in.workingDirectory = j.defaults.workingDirectory
	}
	return in, nil
}

// printScript writes the header's first part: the group with the script's
// first line, then every line in bright cyan, as the runner does.
func (j *jobRun) printScript(sr *stepRun, script string) {
	j.log.output(sr.n, "##[group]Run "+firstLine(script))
	body := strings.TrimRight(strings.ReplaceAll(script, "\r\n", "\n"), "\n")
	for _, line := range strings.Split(body, "\n") {
		j.log.output(sr.n, "\x1b[36;1m"+line+"\x1b[0m")
	}
}

// printEnv writes the `env:` block: the step's env context (workflow, job,
// GITHUB_ENV and step variables), masked by the logger.
func (j *jobRun) printEnv(sr *stepRun) {
	if sr.env.len() == 0 {
		return
	}
	j.log.output(sr.n, "env:")
	sr.env.each(func(k, v string) { j.log.output(sr.n, "  "+k+": "+v) })
}

// execScript writes the script and runs it.
func (j *jobRun) execScript(sr *stepRun, in scriptInputs, spec shellSpec) string {
	dir := in.workingDirectory
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(j.dirs.workspace, dir)
	}
	scriptPath := filepath.Join(j.dirs.temp, randomID()+scriptExtension(spec.command))
	if err := os.WriteFile(scriptPath, []byte(fixUpScript(spec.command, in.script)), 0o644); err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	argv, err := shellArgv(spec.format, scriptPath)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		// .NET's message when the working directory is missing.
		j.log.errorf(sr.n, fmt.Sprintf("An error occurred trying to start process '%s' with working directory '%s'. No such file or directory", spec.path, dir))
		return resultFailure
	}
	return j.runProcess(sr, spec.path, argv, dir)
}

// runProcess starts the process and waits for it, handling timeout and
// cancellation, then applies what its workflow commands asked for.
func (j *jobRun) runProcess(sr *stepRun, path string, argv []string, dir string) string {
	extra := sr.sc.extra
	if sr.procExtra != nil {
		extra = sr.procExtra
	}
	env := processEnv(j.base, sr.env, extra, j.paths, j.fixedVars(sr))
	cp := j.newCmdProc(sr)
	p, err := startProc(path, argv, dir, env, cp.line)
	if err != nil {
		j.log.errorf(sr.n, fmt.Sprintf("An error occurred trying to start process '%s' with working directory '%s'. %v", path, dir, err))
		return resultFailure
	}
	j.procs = append(j.procs, p)
	reason := j.await(sr, p.exited, func() { p.stop(j.t) })
	if reason != notStopped {
		p.killGroup() // what a cancelled script left behind
	}
	p.drain(j.t.streamGrace)
	cp.detach()
	j.applyCommands(sr, cp)
	if reason != notStopped {
		return j.stoppedStatus(sr, reason)
	}
	status := resultSuccess
	if p.exitCode != 0 {
		msg := fmt.Sprintf("Process completed with exit code %d.", p.exitCode)
		if sr.exitMessage != nil {
			msg = sr.exitMessage(p.exitCode)
		}
		j.log.errorf(sr.n, msg)
		status = resultFailure
	}
	if cp.failed {
		status = resultFailure
	}
	return status
}

// fixedVars are the variables the step cannot override, plus the tracking
// id the orphan cleanup looks for.
func (j *jobRun) fixedVars(sr *stepRun) *envList {
	e := defaultVars(sr.github, j.runnerCtx)
	e.set("RUNNER_TRACKING_ID", j.tracking)
	return e
}

// newCmdProc prepares the command processor of a step. The opt-ins are
// read from the runner's environment, then from the env context.
func (j *jobRun) newCmdProc(sr *stepRun) *cmdProc {
	base := parseEnviron(j.base)
	optIn := func(name string) bool {
		for _, e := range []*envList{base, sr.env} {
			if v, ok := e.get(name); ok && strings.EqualFold(strings.TrimSpace(v), "true") {
				return true
			}
		}
		return false
	}
	return &cmdProc{
		log: j.log, mask: j.mask, n: sr.n, workspace: j.dirs.workspace, echo: j.job.Debug,
		allowUnsecure:   optIn("ACTIONS_ALLOW_UNSECURE_COMMANDS"),
		allowStopTokens: optIn("ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS"),
	}
}

// applyCommands applies ::set-output and the allowed ::set-env and
// ::add-path once the process is done.
func (j *jobRun) applyCommands(sr *stepRun, cp *cmdProc) {
	for _, o := range cp.outputs {
		sr.outputs.set(o.name, o.value)
	}
	if sr.state != nil {
		for _, p := range cp.states {
			sr.state.set(p.name, p.value)
		}
	}
	for _, e := range cp.envs {
		j.setJobEnv(sr.sc, e.name, e.value)
	}
	for _, p := range cp.paths {
		j.paths = addPathEntry(j.paths, p)
	}
}
