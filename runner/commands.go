package runner

import (
	"strings"
	"unicode"
)

// command is one workflow command found in a line of output (§8), parsed
// as the runner's ActionCommand.TryParseV2 / TryParse do.
type command struct {
	name  string            // as written; compare case-insensitively
	props map[string]string // property names lower-cased: they are case-insensitive
	data  string
}

// prop returns a property, by case-insensitive name.
func (c command) prop(name string) (string, bool) {
	v, ok := c.props[strings.ToLower(name)]
	return v, ok
}

// builtinCommands are the runner's registered commands. A line naming any
// other command is not a command at all and is printed verbatim.
var builtinCommands = []string{
	"stop-commands", "set-env", "set-output", "save-state", "add-mask", "add-path",
	"add-matcher", "remove-matcher", "debug", "warning", "error", "notice",
	"group", "endgroup", "echo",
}

// isBuiltinCommand reports whether name is a registered command.
func isBuiltinCommand(name string) bool {
	for _, c := range builtinCommands {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// parseCommand recognises `::name k=v,…::data` (after leading whitespace)
// and then the legacy `##[name k=v;…]data` anywhere in the line. registered
// decides which names count: the built-ins plus, while commands are
// stopped, the resume token.
func parseCommand(line string, registered func(string) bool) (command, bool) {
	if c, ok := parseV2(line, registered); ok {
		return c, true
	}
	return parseLegacy(line, registered)
}

// parseV2 is ActionCommand.TryParseV2.
func parseV2(line string, registered func(string) bool) (command, bool) {
	msg := strings.TrimLeftFunc(line, unicode.IsSpace) // String.TrimStart()
	if !strings.HasPrefix(msg, "::") {
		return command{}, false
	}
	end := strings.Index(msg[2:], "::")
	if end < 0 {
		return command{}, false
	}
	info := msg[2 : 2+end]
	name, props, hasProps := strings.Cut(info, " ")
	if !registered(name) {
		return command{}, false
	}
	c := command{name: name, props: map[string]string{}}
	if hasProps && name != "" {
		for _, p := range splitNonEmpty(strings.TrimSpace(props), ',') {
			if k, v, ok := splitPair(p); ok {
				c.props[strings.ToLower(k)] = unescapeProperty(v)
			}
		}
	}
	c.data = unescapeData(msg[2+end+2:])
	return c, true
}

// parseLegacy is ActionCommand.TryParse, the `##[name k=v;…]data` form.
func parseLegacy(line string, registered func(string) bool) (command, bool) {
	start := strings.Index(line, "##[")
	if start < 0 {
		return command{}, false
	}
	rb := strings.IndexByte(line[start:], ']')
	if rb < 0 {
		return command{}, false
	}
	info := line[start+3 : start+rb]
	name, props, hasProps := strings.Cut(info, " ")
	if !registered(name) {
		return command{}, false
	}
	c := command{name: name, props: map[string]string{}}
	if hasProps && name != "" {
		for _, p := range splitNonEmpty(props, ';') {
			if k, v, ok := splitPair(p); ok {
				c.props[strings.ToLower(k)] = unescapeLegacy(v)
			}
		}
	}
	c.data = unescapeLegacy(line[start+rb+1:])
	return c, true
}

// splitNonEmpty is String.Split(sep, RemoveEmptyEntries).
func splitNonEmpty(s string, sep byte) []string {
	var out []string
	for _, p := range strings.Split(s, string(sep)) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitPair is .NET's Split('=', count: 2, RemoveEmptyEntries), which the
// runner uses for `key=value`: empty pieces are skipped, so "k==v" is
// (k, v) and "=v" or "k=" have no pair at all.
func splitPair(s string) (key, value string, ok bool) {
	var parts []string
	cur := 0
	for cur < len(s) {
		i := strings.IndexByte(s[cur:], '=')
		if i < 0 {
			break
		}
		if i > 0 {
			parts = append(parts, s[cur:cur+i])
		}
		cur += i + 1
		if len(parts) == 1 {
			for cur < len(s) && s[cur] == '=' { // skip empty entries before the last
				cur++
			}
			break
		}
	}
	if cur < len(s) {
		parts = append(parts, s[cur:])
	}
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// The runner unescapes with ordered String.Replace calls, so the order
// matters: "%250A" becomes "%0A", not a newline.
var (
	dataUnescaper     = []string{"%0D", "\r", "%0A", "\n", "%25", "%"}
	propertyUnescaper = []string{"%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%"}
	legacyUnescaper   = []string{"%3B", ";", "%0D", "\r", "%0A", "\n", "%5D", "]", "%25", "%"}
)

func unescapeData(s string) string     { return replaceInOrder(s, dataUnescaper) }
func unescapeProperty(s string) string { return replaceInOrder(s, propertyUnescaper) }
func unescapeLegacy(s string) string   { return replaceInOrder(s, legacyUnescaper) }

func replaceInOrder(s string, pairs []string) string {
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}
