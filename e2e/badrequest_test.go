package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bad requests: each answered with the right status and GitHub's error body
// ({message, documentation_url, status as a string}, JSON, never a 500), and
// none of them stores anything.

// brCase is one bad (or borderline) request, sent over a raw connection so
// that nothing cleans its path or frames its body for us.
type brCase struct {
	name    string
	method  string
	target  string // request-target exactly as sent
	headers map[string]string
	auth    *string // nil: Bearer with alice's token; "" sends none
	body    string
	chunked bool // Transfer-Encoding: chunked instead of Content-Length
	want    int
	msg     string // exact message; "" checks only that there is one
	check   func(t *testing.T, r response, body map[string]any)
}

const (
	brParse     = "Problems parsing JSON"
	brNotObject = "Body should be a JSON object"
)

// brRaw writes the request to a new connection and reads one response. The
// body is written concurrently: a server that answers 413 without reading a
// large body must still be heard.
func brRaw(t *testing.T, s *server, c brCase, token string) response {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second)) // a hang fails the test instead of the run
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nAccept: application/vnd.github+json\r\nUser-Agent: dispatchd-e2e\r\n", c.method, c.target, u.Host)
	switch {
	case c.auth == nil:
		fmt.Fprintf(&head, "Authorization: Bearer %s\r\n", token)
	case *c.auth != "":
		fmt.Fprintf(&head, "Authorization: %s\r\n", *c.auth)
	}
	for k, v := range c.headers {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	if c.chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else if c.body != "" || c.method == "POST" || c.method == "PUT" || c.method == "PATCH" {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", len(c.body))
		if _, ok := c.headers["Content-Type"]; !ok {
			head.WriteString("Content-Type: application/json\r\n")
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	go func() {
		if !c.chunked {
			io.WriteString(conn, c.body)
			return
		}
		const chunk = 32 << 10
		for i := 0; i < len(c.body); i += chunk {
			part := c.body[i:min(i+chunk, len(c.body))]
			if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(part), part); err != nil {
				return
			}
		}
		io.WriteString(conn, "0\r\n\r\n")
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: no response: %v", c.method, c.target, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func brStr(s string) *string { return &s }

// brFieldError checks the validation-error shape: errors[0] with the field and code.
func brFieldError(field, code string) func(t *testing.T, r response, body map[string]any) {
	return func(t *testing.T, r response, body map[string]any) {
		t.Helper()
		errs, _ := body["errors"].([]any)
		if len(errs) == 0 {
			t.Fatalf("no errors array: %s", r.Body)
		}
		e, _ := errs[0].(map[string]any)
		if e["field"] != field || (code != "" && e["code"] != code) || e["code"] == nil || e["code"] == "" {
			t.Fatalf("errors[0] = %v, want field %q code %q", e, field, code)
		}
	}
}

func brTypeError(key, repr, typ string) string {
	return fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not %s.", key, repr, typ)
}

func TestBadRequests(t *testing.T) {
	s := startServer(t)
	s.admin("user", "create", "alice")
	s.admin("user", "create", "bob")
	alice := strings.TrimSpace(s.admin("token", "create", "--user", "alice", "--scopes", "repo,workflow"))
	s.createRepo(alice, map[string]any{"name": "exists", "auto_init": true, "description": "the original"})
	s.createRepo(alice, map[string]any{"name": "exists2"})
	s.pushFiles("alice/exists", alice, "main", map[string]string{".github/workflows/ci.yml": azWorkflow})

	listRepos := func() []string {
		r := s.do("GET", "/api/v3/user/repos?per_page=100", alice, nil)
		var repos []map[string]any
		if r.Status != 200 || json.Unmarshal(r.Body, &repos) != nil {
			t.Fatalf("GET /user/repos: %d %s", r.Status, r.Body)
		}
		var names []string
		for _, repo := range repos {
			names = append(names, repo["full_name"].(string))
		}
		sort.Strings(names)
		return names
	}
	before := listRepos()
	if strings.Join(before, ",") != "alice/exists,alice/exists2" {
		t.Fatalf("setup: alice has %v", before)
	}

	big := `{"name":"br-big","description":"` + strings.Repeat("x", 2<<20) + `"}`
	deep := `{"name":"br-deep","description":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	create := "/api/v3/user/repos"
	repo := "/api/v3/repos/alice/exists"
	wf := repo + "/actions/workflows/"
	post := func(name, body string, want int, msg string) brCase {
		return brCase{name: name, method: "POST", target: create, body: body, want: want, msg: msg}
	}
	badName := func(name, repoName string) brCase {
		data, _ := json.Marshal(map[string]any{"name": repoName})
		c := post(name, string(data), 422, "")
		c.check = brFieldError("name", "")
		return c
	}
	badBranch := func(name, branch string) brCase {
		data, _ := json.Marshal(map[string]any{"name": "br-branch", "default_branch": branch})
		return post(name, string(data), 422, "")
	}

	cases := []brCase{
		// Bodies that are not JSON objects.
		post("malformed-json", `{"name":`, 400, brParse),
		post("unquoted-key", `{name: "br-unquoted"}`, 400, brParse),
		post("single-quotes", `{'name': 'br-single'}`, 400, brParse),
		post("json-array", `["br-array"]`, 400, brNotObject),
		post("json-string", `"br-string"`, 400, brNotObject),
		post("json-number", `42`, 400, brNotObject),
		post("json-null", `null`, 400, brNotObject),
		post("invalid-utf8", "{\"name\":\"br-\xff\xfe\"}", 400, brParse),
		post("trailing-garbage", `{"name":"br-trailing"} garbage`, 400, brParse),
		post("two-objects", `{"name":"br-two-a"}{"name":"br-two-b"}`, 400, brParse),
		post("too-deep", deep, 400, brParse),
		{name: "form-encoded", method: "POST", target: create, headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "name=br-form", want: 400, msg: brParse},
		// Wrong types: GitHub's schema messages.
		post("name-number", `{"name":123}`, 422, brTypeError("name", "123", "a string")),
		post("name-bool", `{"name":true}`, 422, brTypeError("name", "true", "a string")),
		post("name-null", `{"name":null}`, 422, brTypeError("name", "nil", "a string")),
		post("name-huge-number", `{"name":1e400}`, 422, brTypeError("name", "1e400", "a string")),
		post("private-string", `{"name":"br-private","private":"yes"}`, 422, brTypeError("private", `"yes"`, "a boolean")),
		post("auto_init-number", `{"name":"br-autoinit","auto_init":1}`, 422, brTypeError("auto_init", "1", "a boolean")),
		post("description-array", `{"name":"br-desc","description":[]}`, 422, brTypeError("description", "[]", "a string")),
		post("default_branch-number", `{"name":"br-db","default_branch":7}`, 422, brTypeError("default_branch", "7", "a string")),
		post("visibility-internal", `{"name":"br-internal","visibility":"internal"}`, 422, ""),
		// Missing name.
		{name: "missing-name", method: "POST", target: create, body: `{"private":true}`, want: 422, check: brFieldError("name", "missing_field")},
		{name: "empty-body", method: "POST", target: create, body: ``, want: 422, check: brFieldError("name", "missing_field")},
		// Names GitHub refuses.
		badName("name-empty", ""),
		badName("name-dot", "."),
		badName("name-dotdot", ".."),
		badName("name-slash", "a/b"),
		badName("name-space", "a b"),
		badName("name-101-chars", strings.Repeat("n", 101)),
		badName("name-dot-git", "x.git"),
		badName("name-dot-GIT", "x.GIT"),
		badName("name-nul", "a\x00b"),
		badName("name-unicode", "ünïcödé"),
		badName("name-newline", "br\nnewline"),
		{name: "name-lone-surrogate", method: "POST", target: create, body: `{"name":"br-\ud800"}`, want: 422, check: brFieldError("name", "")},
		// Taken names, in any case.
		{name: "duplicate", method: "POST", target: create, body: `{"name":"exists"}`, want: 422, msg: "Repository creation failed.", check: brFieldError("name", "")},
		{name: "duplicate-case", method: "POST", target: create, body: `{"name":"EXISTS"}`, want: 422, msg: "Repository creation failed.", check: brFieldError("name", "")},
		// Default branches git would refuse.
		badBranch("branch-dotdot", "a..b"),
		badBranch("branch-dash", "-x"),
		badBranch("branch-lock", "x.lock"),
		badBranch("branch-space", "a b"),
		badBranch("branch-empty", ""),
		// Oversized bodies, announced or streamed.
		post("oversized-content-length", big, 413, ""),
		{name: "oversized-chunked", method: "POST", target: create, body: big, chunked: true, want: 413},
		// Routing.
		{name: "unknown-route", method: "GET", target: "/api/v3/nope", want: 404, msg: "Not Found"},
		{name: "unknown-subroute", method: "GET", target: repo + "/nope", want: 404, msg: "Not Found"},
		{name: "wrong-method-user-repos", method: "PUT", target: create, want: 405, check: brAllow("GET", "POST")},
		{name: "wrong-method-repo", method: "POST", target: repo, body: `{}`, want: 405, check: brAllow("GET", "PATCH", "DELETE")},
		// Path tricks: nothing is cleaned, redirected or reached.
		{name: "path-dotdot", method: "GET", target: "/api/v3/repos/alice/../bob/x", want: 404, msg: "Not Found"},
		{name: "path-encoded-dotdot", method: "GET", target: "/api/v3/repos/alice/%2e%2e/exists", want: 404, msg: "Not Found"},
		{name: "path-encoded-dotdot-to-user", method: "GET", target: repo + "/%2E%2E/%2E%2E/%2E%2E/user", want: 404, msg: "Not Found"},
		{name: "path-dot", method: "GET", target: "/api/v3/repos/alice/./exists", want: 404, msg: "Not Found"},
		{name: "path-nul", method: "GET", target: repo + "%00", want: 404, msg: "Not Found"},
		{name: "path-double-slash", method: "GET", target: "/api/v3/repos//alice/exists", want: 404, msg: "Not Found"},
		{name: "path-double-slash-prefix", method: "GET", target: "/api/v3//user", want: 404, msg: "Not Found"},
		{name: "path-invalid-utf8", method: "GET", target: "/api/v3/repos/alice/%ff%fe", want: 404, msg: "Not Found"},
		{name: "path-trailing-slash-user", method: "GET", target: "/api/v3/user/", want: 404, msg: "Not Found"},
		{name: "path-trailing-slash-repo", method: "GET", target: repo + "/", want: 404, msg: "Not Found"},
		{name: "path-collaborator-traversal", method: "PUT", target: repo + "/collaborators/bob%2f..%2f..%2f..%2f..%2fuser", body: `{}`, want: 404, msg: "Not Found"},
		{name: "path-long-segment", method: "GET", target: "/api/v3/repos/alice/" + strings.Repeat("a", 10000), want: 404, msg: "Not Found"},
		{name: "path-long-owner", method: "GET", target: "/api/v3/repos/" + strings.Repeat("o", 10000) + "/exists", want: 404, msg: "Not Found"},
		// workflow_id tricks.
		{name: "workflow-id-traversal", method: "GET", target: wf + "..%2f..%2fetc", want: 404, msg: "Not Found"},
		{name: "workflow-id-encoded-slash", method: "GET", target: wf + "a%2fb.yml", want: 404, msg: "Not Found"},
		{name: "workflow-id-dotdot", method: "GET", target: wf + "%2e%2e", want: 404, msg: "Not Found"},
		{name: "workflow-id-backslash", method: "GET", target: wf + "..%5c..%5cetc", want: 404, msg: "Not Found"},
		{name: "workflow-id-nul", method: "GET", target: wf + "ci.yml%00", want: 404, msg: "Not Found"},
		{name: "workflow-id-unknown", method: "GET", target: wf + "nope.yml", want: 404, msg: "Not Found"},
		{name: "workflow-id-huge-number", method: "GET", target: wf + "99999999999999999999999", want: 404, msg: "Not Found"},
		{name: "workflow-id-negative", method: "GET", target: wf + "-1", want: 404, msg: "Not Found"},
		{name: "workflow-disable-traversal", method: "PUT", target: wf + "..%2fci.yml/disable", want: 404, msg: "Not Found"},
		// API versions.
		{name: "api-version-v3", method: "GET", target: "/api/v3/user", headers: map[string]string{"X-GitHub-Api-Version": "v3"}, want: 400,
			check: func(t *testing.T, r response, body map[string]any) {
				msg, _ := body["message"].(string)
				prefix := `the version you specified in the "x-github-api-version" request header, "v3", is not a supported version.`
				if !strings.HasPrefix(strings.ToLower(msg), prefix) || !strings.Contains(msg, `"2022-11-28"`) || !strings.Contains(msg, `"2026-03-10"`) {
					t.Fatalf("message %q", msg)
				}
			}},
		{name: "api-version-2022-11-28", method: "GET", target: "/api/v3/user", headers: map[string]string{"X-GitHub-Api-Version": "2022-11-28"}, want: 200},
		{name: "api-version-2026-03-10", method: "GET", target: "/api/v3/user", headers: map[string]string{"X-GitHub-Api-Version": "2026-03-10"}, want: 200},
		// Credentials in a shape dispatchd does not know.
		{name: "auth-unknown-scheme", method: "GET", target: "/api/v3/user", auth: brStr("Digest username=\"alice\""), want: 401, msg: "Bad credentials"},
		{name: "auth-bearer-empty", method: "GET", target: "/api/v3/user", auth: brStr("Bearer"), want: 401, msg: "Bad credentials"},
		{name: "auth-basic-not-base64", method: "GET", target: "/api/v3/user", auth: brStr("Basic !!!"), want: 401, msg: "Bad credentials"},
		{name: "auth-bad-credentials-beat-bad-body", method: "POST", target: create, auth: brStr("Bearer nope"), body: `{"name":`, want: 401, msg: "Bad credentials"},
		// PATCH.
		{name: "patch-default-branch-missing", method: "PATCH", target: repo, body: `{"default_branch":"nope"}`, want: 422, check: brFieldError("default_branch", "invalid")},
		{name: "patch-default-branch-invalid", method: "PATCH", target: repo, body: `{"default_branch":"a..b"}`, want: 422},
		{name: "patch-name-number", method: "PATCH", target: repo, body: `{"name":123}`, want: 422, msg: brTypeError("name", "123", "a string")},
		{name: "patch-name-dotdot", method: "PATCH", target: repo, body: `{"name":".."}`, want: 422},
		{name: "patch-name-taken", method: "PATCH", target: repo, body: `{"name":"exists2"}`, want: 422, check: brFieldError("name", "")},
		{name: "patch-private-string", method: "PATCH", target: repo, body: `{"private":"yes"}`, want: 422, msg: brTypeError("private", `"yes"`, "a boolean")},
		{name: "patch-malformed", method: "PATCH", target: repo, body: `{"description":"changed"`, want: 400, msg: brParse},
		{name: "patch-array", method: "PATCH", target: repo, body: `[{"description":"changed"}]`, want: 400, msg: brNotObject},
		// Collaborators.
		{name: "collaborator-permission-owner", method: "PUT", target: repo + "/collaborators/bob", body: `{"permission":"owner"}`, want: 422, check: brFieldError("permission", "invalid")},
		{name: "collaborator-permission-number", method: "PUT", target: repo + "/collaborators/bob", body: `{"permission":5}`, want: 422, msg: brTypeError("permission", "5", "a string")},
		{name: "collaborator-body-array", method: "PUT", target: repo + "/collaborators/bob", body: `["admin"]`, want: 400, msg: brNotObject},
		{name: "collaborator-unknown-user", method: "PUT", target: repo + "/collaborators/nobody-here", body: `{"permission":"pull"}`, want: 404, msg: "Not Found"},
		// Nonsense paging is ignored, not a 500.
		{name: "paging-garbage", method: "GET", target: create + "?per_page=abc&page=-5", want: 200},
		{name: "paging-huge", method: "GET", target: create + "?per_page=100000000000000000000&page=99999999999999999999", want: 200},
		{name: "paging-huge-page", method: "GET", target: wf[:len(wf)-1] + "?page=1000000", want: 200},
	}
	if len(cases) < 35 {
		t.Fatalf("only %d cases", len(cases))
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := brRaw(t, s, c, alice)
			t.Logf("%s %s → %d %s", c.method, brShort(c.target), r.Status, brShort(string(r.Body)))
			if r.Header.Get("X-GitHub-Request-Id") == "" {
				t.Errorf("no X-GitHub-Request-Id header")
			}
			if r.Status >= 500 {
				t.Fatalf("server error %d\n%s", r.Status, r.Body)
			}
			if r.Status != c.want {
				t.Fatalf("status %d, want %d\n%s", r.Status, c.want, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("Content-Type %q for an /api/v3 path\n%s", r.Header.Get("Content-Type"), r.Body)
			}
			var any_ any
			if err := json.Unmarshal(r.Body, &any_); err != nil {
				t.Fatalf("body is not JSON: %v\n%q", err, r.Body)
			}
			body, _ := any_.(map[string]any)
			if r.Status >= 400 {
				if body == nil {
					t.Fatalf("error body is not a JSON object: %s", r.Body)
				}
				msg, _ := body["message"].(string)
				doc, _ := body["documentation_url"].(string)
				status, _ := body["status"].(string)
				if msg == "" || !strings.HasPrefix(doc, "https://docs.github.com/") || status != strconv.Itoa(r.Status) {
					t.Fatalf("error body %s: want a message, a docs.github.com documentation_url and status %q", r.Body, strconv.Itoa(r.Status))
				}
				if c.msg != "" && msg != c.msg {
					t.Fatalf("message %q, want %q", msg, c.msg)
				}
			}
			if c.check != nil {
				c.check(t, r, body)
			}
		})
	}

	t.Run("nothing-stored", func(t *testing.T) {
		if after := listRepos(); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Errorf("alice's repositories changed: %v, were %v", after, before)
		}
		r := s.do("GET", "/api/v3/repos/alice/exists", alice, nil)
		m := r.JSON(t)
		if r.Status != 200 || m["name"] != "exists" || m["default_branch"] != "main" || m["description"] != "the original" || m["private"] != false {
			t.Errorf("alice/exists changed: %d %s", r.Status, r.Body)
		}
		if r := s.do("GET", "/api/v3/repos/alice/exists/collaborators/bob", alice, nil); r.Status != 404 {
			t.Errorf("bob became a collaborator: %d", r.Status)
		}
		if r := s.do("GET", "/api/v3/repos/alice/exists/actions/workflows/ci.yml", alice, nil); r.Status != 200 || r.JSON(t)["state"] != "active" {
			t.Errorf("workflow changed: %d %s", r.Status, r.Body)
		}
		for _, name := range []string{"br-big", "br-two-a", "br-two-b", "br-trailing", "br-private", "br-branch", "br-internal", "br-deep"} {
			if r := s.do("GET", "/api/v3/repos/alice/"+name, alice, nil); r.Status != 404 {
				t.Errorf("alice/%s exists: %d", name, r.Status)
			}
		}
	})

	t.Run("still-healthy", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.TrimSpace(string(data)) != "ok" {
			t.Fatalf("/healthz: %d %q", resp.StatusCode, data)
		}
		if r := s.do("GET", "/api/v3/user", alice, nil); r.Status != 200 {
			t.Fatalf("GET /user afterwards: %d", r.Status)
		}
	})
}

// brAllow checks a 405's Allow header lists the methods.
func brAllow(methods ...string) func(t *testing.T, r response, body map[string]any) {
	return func(t *testing.T, r response, body map[string]any) {
		t.Helper()
		allow := r.Header.Get("Allow")
		for _, m := range methods {
			if !strings.Contains(allow, m) {
				t.Fatalf("Allow %q lacks %s", allow, m)
			}
		}
		if body["message"] != "Method Not Allowed" {
			t.Fatalf("message %v", body["message"])
		}
	}
}

// brShort keeps logs readable when a target or body is huge.
func brShort(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
