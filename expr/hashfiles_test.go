package expr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeTree creates files (relative path → content) and symbolic links
// (relative path → "->target") under a new directory.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(content, "->"):
			err = os.Symlink(content[2:], p)
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// wantHash is the expected hashFiles result for file contents in order.
func wantHash(contents ...string) string {
	outer := sha256.New()
	for _, c := range contents {
		sum := sha256.Sum256([]byte(c))
		outer.Write(sum[:])
	}
	return hex.EncodeToString(outer.Sum(nil))
}

func TestHashFilesKnownValue(t *testing.T) {
	ws := makeTree(t, map[string]string{"dir/hello.txt": "hello\n"})
	got, err := Evaluate("hashFiles('**/hello.txt')", &Context{Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ecb65bb98f9d905b70458986c39fcbad7715e5f2fcc3b1f07767d7c83e2438cc"; got != want {
		t.Errorf("hashFiles = %v, want %s", got, want)
	}
}

func TestHashFiles(t *testing.T) {
	parent := makeTree(t, map[string]string{
		"outside/secret.txt":                    "secret",
		"ws/a/x.txt":                            "x",
		"ws/a.txt":                              "a",
		"ws/b.lock":                             "b",
		"ws/.hidden/c.txt":                      "c",
		"ws/sub/package-lock.json":              "sub-lock",
		"ws/node_modules/dep/package-lock.json": "dep-lock",
		"ws/empty-dir/":                         "",
		"ws/link-to-a":                          "->a",
		"ws/link-file":                          "->b.lock",
		"ws/link-out":                           "->../outside/secret.txt",
		"ws/link-broken":                        "->nowhere",
	})
	ws := filepath.Join(parent, "ws")
	for _, tc := range []struct {
		args string
		want string
	}{
		// Depth first, children in name order: "a" (and a/x.txt) sorts
		// before "a.txt", unlike a sort of the full paths.
		{"'**/*.txt'", wantHash("c", "x", "a")},
		{"'**/package-lock.json', '!**/node_modules/**'", wantHash("sub-lock")},
		{"'**/package-lock.json\n!node_modules'", wantHash("sub-lock")}, // one argument, two lines; a directory excludes what is below it
		{"'**/*.txt', '!a/**', 'a/x.txt'", wantHash("c", "x", "a")},     // the last matching pattern decides
		{"'**/*.txt', '!**/x.txt'", wantHash("c", "a")},
		{"'a'", wantHash("x")},  // a directory matches everything below it
		{"'a/'", wantHash("x")}, // also written with a trailing slash
		{"'./a.txt'", wantHash("a")},
		{"'# a comment\n\n  b.lock  '", wantHash("b")},
		{"'b.lock', 'a.txt'", wantHash("b", "a")}, // search paths in pattern order
		{"'a.txt', 'b.lock'", wantHash("a", "b")},
		{"'[ab].*'", wantHash("a", "b")},
		{"'?.txt'", wantHash("a")},
		{"'\\a.txt'", wantHash("a")},   // \a is an escaped a
		{"'link-file'", wantHash("b")}, // a link to a file is hashed through the link
		{"'link-to-a'", ""},            // a link to a directory is skipped when not followed
		{"'link-out'", wantHash("secret")},
		{"'" + filepath.Join(parent, "outside") + "/*'", ""}, // files outside the workspace are ignored
		{"'/**/secret.txt'", ""},
		{"'empty-dir'", ""},
		{"'**/*.does-not-exist'", ""},
		{"'--follow-symbolic-links', '**/x.txt'", wantHash("x", "x")},         // a/x.txt and link-to-a/x.txt
		{"'--FOLLOW-SYMBOLIC-LINKS', 'link-*'", wantHash("b", "secret", "x")}, // the broken link is left out
		{"'**/*.txt', '--follow-symbolic-links'", wantHash("c", "x", "a")},
	} {
		got, err := Evaluate("hashFiles("+tc.args+")", &Context{Workspace: ws})
		if err != nil {
			t.Errorf("hashFiles(%s): %v", tc.args, err)
		} else if got != tc.want {
			t.Errorf("hashFiles(%s) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestHashFilesErrors(t *testing.T) {
	ws := makeTree(t, map[string]string{"a.txt": "a", "broken": "->nowhere"})
	for _, tc := range []struct{ args, want string }{
		{"'../*'", "Relative pathing"},
		{"'a/./b'", "Relative pathing"},
		{"'!'", "pattern cannot be empty"},
		{"'--nope', 'a'", "Invalid glob option --nope"},
		{"'broken'", "no such file"}, // a broken link that is not followed
	} {
		_, err := Evaluate("hashFiles("+tc.args+")", &Context{Workspace: ws})
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindEval || !strings.Contains(e.Msg, tc.want) {
			t.Errorf("hashFiles(%s): got %v, want an eval error with %q", tc.args, err, tc.want)
		}
	}
	if _, err := hashFiles(ws, []string{"**"}, false, time.Now().Add(-time.Second)); !errors.Is(err, errHashTimeout) {
		t.Errorf("past deadline: %v", err)
	}
	_, err := Evaluate("hashFiles('**')", &Context{Workspace: filepath.Join(ws, "missing")})
	if err == nil {
		t.Error("a missing workspace must fail")
	}
}

func TestMatchSegment(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"*", ".hidden", true},
		{"*.go", "main.go", true},
		{"*.go", "main.go.txt", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"?", "é", true},
		{"??", "é", false},
		{"[abc]x", "bx", true},
		{"[!abc]x", "bx", false},
		{"[^abc]x", "dx", true},
		{"[a-c]", "b", true},
		{"[a-c]", "d", false},
		{"[]]", "]", true},
		{"[", "[", true},
		{"[ab", "[ab", true},
		{"\\*", "*", true},
		{"\\*", "x", false},
		{"[*]", "*", true},
		{"[*]", "x", false},
		{"", "", true},
	} {
		if got := matchSegment(tc.pat, tc.name); got != tc.want {
			t.Errorf("matchSegment(%q, %q) = %v", tc.pat, tc.name, got)
		}
	}
	for _, tc := range []struct {
		pat, path string
		partial   bool
		want      bool
	}{
		{"a/**/b", "a/b", false, true},
		{"a/**/b", "a/x/y/b", false, true},
		{"a/**/b", "a/x/y", false, false},
		{"a/**/b", "a/x/y", true, true},
		{"a/*/b", "a/x", true, true},
		{"a/*/b", "c/x", true, false},
		{"**", "x/y/z", false, true},
		{"**/**/**/**/**/**/**/**/z", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/y", false, false},
	} {
		if got := matchSegments(strings.Split(tc.pat, "/"), strings.Split(tc.path, "/"), tc.partial); got != tc.want {
			t.Errorf("matchSegments(%q, %q, %v) = %v", tc.pat, tc.path, tc.partial, got)
		}
	}
}
