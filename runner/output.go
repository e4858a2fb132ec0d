package runner

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// Messages of the runner's Constants.Runner.
const (
	msgUnsupportedCommand = "The `%s` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
	msgCommandDisabled    = "The `%s` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"
	msgStopTokenDisabled  = "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`."
)

// cmdProc handles the lines of one step's output (§8): workflow commands
// are carried out, everything else is logged as is. It runs on the step's
// output goroutine; the job goroutine reads its results once the step's
// process is done (after detach).
type cmdProc struct {
	mu        sync.Mutex
	log       *logger
	mask      *masker
	n         int    // the step's number in the log
	workspace string // annotation files are made relative to it
	echo      bool   // ::echo::on; starts on with step debug logging
	stopToken string
	stopped   bool
	detached  bool

	allowUnsecure   bool // ACTIONS_ALLOW_UNSECURE_COMMANDS
	allowStopTokens bool // ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS

	// Results, applied by the job goroutine after the process ends.
	failed  bool      // a command failed: the step fails (CommandResult)
	outputs []envPair // ::set-output
	states  []envPair // ::save-state
	envs    []envPair // ::set-env, when allowed
	paths   []string  // ::add-path, when allowed
}

// line handles one line of output.
func (p *cmdProc) line(raw string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.detached {
		return
	}
	c, ok := parseCommand(raw, p.registered)
	switch {
	case !ok:
		p.log.output(p.n, raw)
	case p.stopped:
		// Only the resume token is a command now; the rest is printed.
		p.log.output(p.n, raw)
		if p.stopToken != "" && strings.EqualFold(c.name, p.stopToken) {
			p.stopped, p.stopToken = false, ""
		}
	case strings.EqualFold(c.name, "stop-commands"):
		p.stopCommands(raw, c)
	default:
		p.dispatch(raw, c)
	}
}

// detach ends the processing: later lines (from background processes that
// outlive the step) are dropped, and the results are stable.
func (p *cmdProc) detach() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.detached = true
}

// registered is the set of command names: the built-ins, plus the resume
// token while commands are stopped.
func (p *cmdProc) registered(name string) bool {
	if p.stopped && p.stopToken != "" && strings.EqualFold(name, p.stopToken) {
		return true
	}
	return isBuiltinCommand(name)
}

// stopCommands pauses command processing until `::TOKEN::`. A token that
// is empty, pause-logging or a command name is refused: the runner throws,
// which fails the step; processing goes on.
func (p *cmdProc) stopCommands(raw string, c command) {
	token := c.data
	invalid := token == "" || isBuiltinCommand(token) || strings.EqualFold(token, "pause-logging")
	if invalid && !p.allowStopTokens {
		p.log.errorf(p.n, msgStopTokenDisabled)
		p.failed = true
		return
	}
	if len(utf16.Encode([]rune(token))) > 6 {
		p.mask.add(token)
	}
	p.stopToken, p.stopped = token, true
	p.log.output(p.n, raw)
}

// dispatch runs a command other than stop-commands.
func (p *cmdProc) dispatch(raw string, c command) {
	name := strings.ToLower(c.name)
	switch name {
	case "error", "warning", "notice":
		p.annotate(name, c)
		return
	case "debug":
		p.log.debug(p.n, c.data)
		return
	case "add-mask":
		p.addMask(c)
		return
	}
	if p.echo { // the other commands are echoed when echo is on
		p.log.output(p.n, raw)
	}
	if err := p.run(name, c); err != nil {
		p.log.errorf(p.n, fmt.Sprintf("Unable to process command '%s' successfully.", raw))
		p.log.errorf(p.n, err.Error())
		p.failed = true
	}
}

// run carries out the commands that can fail.
func (p *cmdProc) run(name string, c command) error {
	switch name {
	case "group":
		p.log.output(p.n, "##[group]"+c.data)
	case "endgroup":
		p.log.output(p.n, "##[endgroup]")
	case "echo":
		return p.setEcho(c.data)
	case "set-output":
		return p.setOutput(c)
	case "save-state":
		// The state of a JavaScript action's step, for its later stages
		// (STATE_*); elsewhere it is checked and dropped.
		name, _ := c.prop("name")
		if name == "" {
			return fmt.Errorf("Required field 'name' is missing in ##[save-state] command.")
		}
		p.states = append(p.states, envPair{name, c.data})
		p.log.warning(p.n, fmt.Sprintf(msgUnsupportedCommand, "save-state"))
	case "set-env":
		return p.setEnv(c)
	case "add-path":
		return p.addPath(c)
	case "add-matcher", "remove-matcher":
		p.log.debug(p.n, "Problem matchers are not supported by this runner; ignoring ##["+name+"].")
	}
	return nil
}

func (p *cmdProc) setEcho(v string) error {
	if v == "" {
		return fmt.Errorf("Value cannot be null. (Parameter 'value')")
	}
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "ON":
		p.echo = true
	case "OFF":
		p.echo = false
	default:
		return fmt.Errorf("Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '%s'.", v)
	}
	return nil
}

func (p *cmdProc) setOutput(c command) error {
	name, _ := c.prop("name")
	if name == "" {
		return fmt.Errorf("Required field 'name' is missing in ##[set-output] command.")
	}
	p.outputs = append(p.outputs, envPair{name, c.data})
	p.log.warning(p.n, fmt.Sprintf(msgUnsupportedCommand, "set-output"))
	return nil
}

// setEnv is disabled unless ACTIONS_ALLOW_UNSECURE_COMMANDS=true.
func (p *cmdProc) setEnv(c command) error {
	if !p.allowUnsecure {
		return fmt.Errorf(msgCommandDisabled, "set-env")
	}
	name, _ := c.prop("name")
	if name == "" {
		return fmt.Errorf("Required field 'name' is missing in ##[set-env] command.")
	}
	if strings.EqualFold(name, "NODE_OPTIONS") {
		p.log.errorf(p.n, "Can't update NODE_OPTIONS environment variable using ::set-env:: command.")
		return nil
	}
	p.envs = append(p.envs, envPair{name, c.data})
	return nil
}

// addPath is disabled unless ACTIONS_ALLOW_UNSECURE_COMMANDS=true.
func (p *cmdProc) addPath(c command) error {
	if !p.allowUnsecure {
		return fmt.Errorf(msgCommandDisabled, "add-path")
	}
	if c.data == "" {
		return fmt.Errorf("Value cannot be null. (Parameter 'path')")
	}
	p.paths = append(p.paths, c.data)
	return nil
}

// addMask registers a value (and each of its lines) as a secret.
func (p *cmdProc) addMask(c command) {
	if strings.TrimSpace(c.data) == "" {
		p.log.warning(p.n, "Can't add secret mask for empty string in ##[add-mask] command.")
		return
	}
	if p.echo {
		p.log.output(p.n, "::add-mask::***")
	}
	p.mask.addSecret(c.data)
}

// annotate writes an ::error / ::warning / ::notice.
func (p *cmdProc) annotate(level string, c command) {
	validateLinesAndColumns(c.props)
	a := Annotation{Level: level, Message: c.data}
	a.Title, _ = c.prop("title")
	if f, ok := c.prop("file"); ok && f != "" {
		a.File = relativeToWorkspace(f, p.workspace)
	}
	a.Line = propInt(c, "line")
	a.EndLine = propInt(c, "endLine")
	a.Col = propInt(c, "col")
	a.EndColumn = propInt(c, "endColumn")
	p.log.issue(p.n, a)
}

// relativeToWorkspace is IOUtil.MakeRelative: a path inside the workspace
// becomes relative to it, anything else is kept.
func relativeToWorkspace(file, workspace string) string {
	if !filepath.IsAbs(file) {
		return file
	}
	rel, err := filepath.Rel(workspace, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return file
	}
	return rel
}

// propInt is an integer property, 0 when absent or not a number.
func propInt(c command, name string) int {
	v, _ := c.prop(name)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return n
}

// validateLinesAndColumns is IssueCommandExtension.ValidateLinesAndColumns:
// inconsistent line/column properties are fixed up or dropped, silently.
func validateLinesAndColumns(props map[string]string) {
	parse := func(k string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(props[k]))
		return n, err == nil
	}
	line, hasLine := parse("line")
	endLine, hasEndLine := parse("endline")
	col, hasCol := parse("col")
	endCol, hasEndCol := parse("endcolumn")
	hasColumn := hasCol || hasEndCol
	if hasEndLine && !hasLine {
		props["line"], line, hasLine = props["endline"], endLine, true
	}
	if hasEndCol && !hasCol {
		props["col"], col, hasCol = props["endcolumn"], endCol, true
	}
	dropColumns := func() { delete(props, "col"); delete(props, "endcolumn") }
	if !hasLine && hasColumn {
		dropColumns()
	}
	if hasEndLine && props["line"] != props["endline"] && hasColumn {
		dropColumns()
	}
	if hasLine && hasEndLine && endLine < line {
		delete(props, "line")
		delete(props, "endline")
	}
	if hasCol && hasEndCol && endCol < col {
		dropColumns()
	}
}
