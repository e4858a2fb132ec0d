package runner

import (
	"errors"
	"fmt"
	"strings"
)

// envPair is one NAME=VALUE of an environment file.
type envPair struct{ name, value string }

// parseEnvFile reads the GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE format
// (§7) as the runner's EnvFileKeyValuePairs does on Linux: lines end at
// "\n" only (a "\r" stays part of the value), empty lines are skipped,
// `NAME=VALUE` splits at the first '=', `NAME<<DELIM` takes the following
// lines up to one that equals DELIM exactly. It returns the pairs read
// before the first error together with that error: the runner applies
// those pairs and then fails the step.
//
// One deliberate difference: the runner means to refuse an empty name in
// `=value` but tests the wrong variable, and then stores a variable with
// an empty name; here that line is the error the runner intended.
func parseEnvFile(text string) ([]envPair, error) {
	var pairs []envPair
	r := lineReader{text: text}
	for {
		line, _, ok := r.next()
		if !ok {
			return pairs, nil
		}
		if line == "" {
			continue
		}
		p, err := parseEnvEntry(line, &r)
		if err != nil {
			return pairs, err
		}
		pairs = append(pairs, p)
	}
}

// parseEnvEntry parses the entry that starts with line, reading a heredoc
// body from r when there is one.
func parseEnvEntry(line string, r *lineReader) (envPair, error) {
	eq := strings.Index(line, "=")
	heredoc := strings.Index(line, "<<")
	switch {
	case eq >= 0 && (heredoc < 0 || eq < heredoc):
		name, value, _ := strings.Cut(line, "=")
		if name == "" {
			return envPair{}, fmt.Errorf("Invalid format '%s'. Name must not be empty", line)
		}
		return envPair{name, value}, nil
	case heredoc >= 0:
		name, delim, _ := strings.Cut(line, "<<")
		if name == "" || delim == "" {
			return envPair{}, fmt.Errorf("Invalid format '%s'. Name must not be empty and delimiter must not be empty", line)
		}
		value, err := r.heredoc(delim)
		return envPair{name, value}, err
	}
	return envPair{}, fmt.Errorf("Invalid format '%s'", line)
}

// lineReader walks a text line by line, remembering where each line ended
// so that a heredoc value can be cut out of the text unchanged.
type lineReader struct {
	text string
	pos  int
}

// next returns the next line without its "\n", and whether it had one.
func (r *lineReader) next() (line string, newline bool, ok bool) {
	if r.pos >= len(r.text) {
		return "", false, false
	}
	start := r.pos
	i := strings.IndexByte(r.text[start:], '\n')
	if i < 0 {
		r.pos = len(r.text)
		return r.text[start:], false, true
	}
	r.pos = start + i + 1
	return r.text[start : start+i], true, true
}

var errEOFMarker = errors.New("Invalid value. EOF marker missing new line.")

// heredoc reads lines up to the delimiter and returns what lies between,
// without the newline before the delimiter.
func (r *lineReader) heredoc(delim string) (string, error) {
	start, end := r.pos, r.pos
	for {
		line, newline, ok := r.next()
		switch {
		case !ok:
			return "", fmt.Errorf("Invalid value. Matching delimiter not found '%s'", delim)
		case line == delim:
			return r.text[start:end], nil
		case !newline:
			return "", errEOFMarker
		}
		end = r.pos - 1
	}
}
