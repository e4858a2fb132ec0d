package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bad dispatches: every way a repository_dispatch or workflow_dispatch call
// can be wrong, each answered with the right status and GitHub's error body,
// never a 500, and none of them storing an event or a run. A few requests at
// the edge of a limit are accepted; they are counted, so that the totals at
// the end say exactly what was stored.

const (
	dbrRepo   = "/api/v3/repos/admin/svc"
	dbrRD     = dbrRepo + "/dispatches"
	dbrRDDoc  = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
	dbrWDDoc  = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"
	dbrAnyDoc = "*" // the error comes before routing: any docs.github.com page

	dbrInvalid   = "Invalid request.\n\n"
	dbrParse     = "Problems parsing JSON"
	dbrNotObject = "Body should be a JSON object"
	dbrNotFound  = "Not Found"
)

// dbrExtraWorkflow declares what greet.yml lacks: a required input without
// a default and a choice.
const dbrExtraWorkflow = `name: DBR Extra
on:
  workflow_dispatch:
    inputs:
      target:
        description: "no default"
        required: true
      env:
        type: choice
        options: [dev, prod]
        default: dev
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ inputs.target }} ${{ inputs.env }}"
`

// dbrWD is the workflow_dispatch target of a workflow id or file name, as sent.
func dbrWD(workflowID string) string {
	return dbrRepo + "/actions/workflows/" + workflowID + "/dispatches"
}

// dbrWant is one acceptable answer.
type dbrWant struct {
	status int
	msg    string // exact message; "" checks only that there is one
}

// dbrCase is one request, sent over a raw connection so that nothing
// cleans its path or frames its body for us.
type dbrCase struct {
	name    string
	target  string // request-target exactly as sent
	auth    string // "" the admin token; otherwise a key of the token table
	headers map[string]string
	body    string
	chunked bool // Transfer-Encoding: chunked instead of Content-Length

	want     int
	msg      string    // exact message when GitHub's text is known
	prefix   string    // the message starts with this
	contains []string  // and holds these
	oneOf    []dbrWant // instead of want/msg: any of these answers
	doc      string    // documentation_url; "" the endpoint's page, dbrAnyDoc any docs.github.com page

	fields    []string // the errors array must have exactly these fields, in order (422 validation failures)
	anyErrors bool     // the errors array must not be empty, whatever its fields

	events, runs int // an accepted request stores this much

	before, after func(t *testing.T) // around the request, after runs even when the case fails
}

// dbrSend writes the request to a new connection and reads one response.
// The body is written concurrently: a server that answers 413 without
// reading a large body must still be heard.
func dbrSend(t *testing.T, s *server, c dbrCase, authorization string) response {
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
	conn.SetDeadline(time.Now().Add(60 * time.Second)) // a hang fails the case instead of the run
	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nAccept: application/vnd.github+json\r\nUser-Agent: dispatchd-e2e-dbr\r\nContent-Type: application/json\r\n", c.target, u.Host)
	if authorization != "" {
		fmt.Fprintf(&head, "Authorization: %s\r\n", authorization)
	}
	for k, v := range c.headers {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	if c.chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", len(c.body))
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
		t.Fatalf("POST %s: no response: %v", dbrShort(c.target), err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func dbrShort(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// dbrJSON marshals a body without HTML escaping, exactly as written.
func dbrJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// dbrTotals reads the two counters nothing bad may move.
func dbrTotals(t *testing.T, s *server) (events, runs int) {
	t.Helper()
	count := func(path string) int {
		r := s.do("GET", path, s.Token, nil)
		n, ok := r.JSON(t)["total_count"].(float64)
		if r.Status != 200 || !ok {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		return int(n)
	}
	return count(dbrRD), count(dbrRepo + "/actions/runs")
}

func dbrTypeError(key, shown, typ string) string {
	return dbrInvalid + fmt.Sprintf("For 'properties/%s', %s is not %s.", key, shown, typ)
}

func dbrSetWorkflow(s *server, file string, disabled bool) func(t *testing.T) {
	return func(t *testing.T) {
		t.Helper()
		verb := "enable"
		if disabled {
			verb = "disable"
		}
		if r := s.do("PUT", dbrRepo+"/actions/workflows/"+file+"/"+verb, s.Token, nil); r.Status != 204 {
			t.Fatalf("%s %s: %d %s", verb, file, r.Status, r.Body)
		}
	}
}

func TestDispatchBadRequests(t *testing.T) {
	s := startServer(t)
	dispatchRepo(t, s)
	s.pushFiles("admin/svc", s.Token, "main", map[string]string{".github/workflows/dbr-extra.yml": dbrExtraWorkflow})
	if r := s.do("GET", dbrRepo+"/actions/workflows/dbr-extra.yml", s.Token, nil); r.Status != 200 || r.JSON(t)["state"] != "active" {
		t.Fatalf("setup: dbr-extra.yml not registered: %d %s", r.Status, r.Body)
	}

	// Callers: a read-only collaborator, a classic token without `repo`, and
	// fine-grained tokens with contents:read only and actions:write only.
	s.admin("user", "create", "dbr-reader")
	reader := strings.TrimSpace(s.admin("token", "create", "--user", "dbr-reader", "--scopes", "repo"))
	if r := s.do("PUT", dbrRepo+"/collaborators/dbr-reader", s.Token, map[string]any{"permission": "pull"}); r.Status != 204 {
		t.Fatalf("setup: add reader: %d %s", r.Status, r.Body)
	}
	auth := map[string]string{
		"":           "Bearer " + s.Token,
		"anon":       "",
		"bad":        "Bearer dsp_this_is_not_a_token",
		"reader":     "Bearer " + reader,
		"no-repo":    "token " + strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--scopes", "read:org")),
		"fg-read":    "Bearer " + strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--repo", "admin/svc", "--permission", "contents:read")),
		"fg-actions": "Bearer " + strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--repo", "admin/svc", "--permission", "actions:write")),
	}
	// The setup's own tokens answer as expected, so that a 403 below is the dispatch's.
	for _, who := range []string{"reader", "no-repo", "fg-read", "fg-actions"} {
		if r := s.do("GET", dbrRepo, strings.SplitN(auth[who], " ", 2)[1], nil); r.Status != 200 {
			t.Fatalf("setup: %s cannot read the repository: %d %s", who, r.Status, r.Body)
		}
	}

	beforeEvents, beforeRuns := dbrTotals(t, s)

	rd := func(name, body string, want int, msg string) dbrCase {
		return dbrCase{name: "rd/" + name, target: dbrRD, body: body, want: want, msg: msg}
	}
	rdInvalid := func(name, body, msg string, fields ...string) dbrCase {
		c := rd(name, body, 422, msg)
		c.fields = fields
		return c
	}
	wd := func(name, workflow, body string, want int, msg string) dbrCase {
		return dbrCase{name: "wd/" + name, target: dbrWD(workflow), body: body, want: want, msg: msg, doc: dbrWDDoc}
	}
	greet := func(name, body string, want int, msg string) dbrCase { return wd(name, "greet.yml", body, want, msg) }
	loose := func(c dbrCase, prefix string, contains ...string) dbrCase {
		c.msg, c.prefix, c.contains = "", prefix, contains
		return c
	}
	with := func(c dbrCase, f func(*dbrCase)) dbrCase { f(&c); return c }

	// Bodies at and over the limits.
	payloadOf := func(n int) string { // a client_payload of exactly n bytes, compact
		return `{"d":"` + strings.Repeat("p", n-8) + `"}`
	}
	tenProps, elevenProps := map[string]any{}, map[string]any{}
	for i := range 11 {
		if i < 10 {
			tenProps[fmt.Sprintf("k%d", i)] = i
		}
		elevenProps[fmt.Sprintf("k%d", i)] = i
	}
	twentySixInputs := map[string]any{}
	for i := range 26 {
		twentySixInputs[fmt.Sprintf("in%02d", i)] = "v"
	}
	huge := `{"event_type":"dbr-huge","client_payload":{"d":"` + strings.Repeat("h", 2<<20) + `"}}`
	hugeWD := `{"ref":"main","inputs":{"source":"` + strings.Repeat("h", 2<<20) + `"}}`
	e100, e101 := strings.Repeat("e", 100), strings.Repeat("e", 101)
	accented100, accented101 := strings.Repeat("é", 100), strings.Repeat("é", 101) // characters, not bytes

	cases := []dbrCase{
		// ---- repository_dispatch: the request schema ----
		rdInvalid("missing-event_type", `{"client_payload":{"a":1}}`, dbrInvalid+`"event_type" wasn't supplied.`, "event_type"),
		with(loose(rd("empty-body", ``, 422, ""), dbrInvalid), func(c *dbrCase) { c.anyErrors = true }),
		rdInvalid("empty-object", `{}`, dbrInvalid+`"event_type" wasn't supplied.`, "event_type"),
		loose(rdInvalid("empty-event_type", `{"event_type":""}`, "", "event_type"), dbrInvalid, "event_type"),
		loose(rdInvalid("event_type-101-chars", dbrJSON(map[string]any{"event_type": e101}), "", "event_type"), dbrInvalid, "event_type", "100"),
		loose(rdInvalid("event_type-101-accented-chars", dbrJSON(map[string]any{"event_type": accented101}), "", "event_type"), dbrInvalid, "event_type", "100"),
		rdInvalid("event_type-number", `{"event_type":5}`, dbrTypeError("event_type", "5", "a string"), "event_type"),
		rdInvalid("event_type-null", `{"event_type":null}`, dbrTypeError("event_type", "nil", "a string"), "event_type"),
		loose(rdInvalid("event_type-object", `{"event_type":{"a":1}}`, "", "event_type"), dbrInvalid+"For 'properties/event_type', ", "is not a string."),
		loose(rdInvalid("event_type-array", `{"event_type":["deploy"]}`, "", "event_type"), dbrInvalid+"For 'properties/event_type', ", "is not a string."),
		rdInvalid("event_type-bool", `{"event_type":true}`, dbrTypeError("event_type", "true", "a string"), "event_type"),
		rdInvalid("client_payload-string", `{"event_type":"x","client_payload":"{\"a\":1}"}`, dbrTypeError("client_payload", `"{\"a\":1}"`, "an object"), "client_payload"),
		loose(rdInvalid("client_payload-array", `{"event_type":"x","client_payload":[1,2]}`, "", "client_payload"), dbrInvalid+"For 'properties/client_payload', ", "is not an object."),
		rdInvalid("client_payload-number", `{"event_type":"x","client_payload":42}`, dbrTypeError("client_payload", "42", "an object"), "client_payload"),
		rdInvalid("client_payload-null", `{"event_type":"x","client_payload":null}`, dbrTypeError("client_payload", "nil", "an object"), "client_payload"),
		rdInvalid("client_payload-true", `{"event_type":"x","client_payload":true}`, dbrTypeError("client_payload", "true", "an object"), "client_payload"),
		rdInvalid("client_payload-11-properties", dbrJSON(map[string]any{"event_type": "x", "client_payload": elevenProps}),
			dbrInvalid+"No more than 10 properties are allowed; 11 were supplied.", "client_payload"),
		rdInvalid("client_payload-65536-bytes", `{"event_type":"dbr-over","client_payload":`+payloadOf(65536)+`}`, "client_payload is too large.", "client_payload"),
		rdInvalid("unknown-key", `{"event_type":"x","ref":"main"}`, dbrInvalid+`"ref" is not a permitted key.`, "ref"),
		rdInvalid("unknown-keys", `{"b":2,"event_type":"x","a":1}`, dbrInvalid+`"a", "b" are not permitted keys.`, "a,b"),
		// The body of https://github.com/langfuse/langfuse-docs/issues/1967, answered word for word.
		rdInvalid("contract-example", `{"type":"t","id":"1","timestamp":"2024-01-01T00:00:00Z","apiVersion":"v1","prompt":{},"action":"created"}`,
			dbrInvalid+`"action", "apiVersion", "id", "prompt", "timestamp", "type" are not permitted keys.`+"\n"+`"event_type" wasn't supplied.`,
			"action,apiVersion,id,prompt,timestamp,type", "event_type"),
		rdInvalid("three-violations", `{"zzz":1,"event_type":7,"client_payload":[]}`,
			dbrInvalid+`"zzz" is not a permitted key.`+"\nFor 'properties/event_type', 7 is not a string.\nFor 'properties/client_payload', [] is not an object.",
			"zzz", "event_type", "client_payload"),
		// ---- repository_dispatch: bodies that are not a JSON object ----
		rd("malformed", `{"event_type":`, 400, dbrParse),
		rd("unquoted-key", `{event_type:"x"}`, 400, dbrParse),
		rd("trailing-garbage", `{"event_type":"dbr-trailing"} garbage`, 400, dbrParse),
		rd("two-objects", `{"event_type":"dbr-two"}{"event_type":"dbr-two"}`, 400, dbrParse),
		rd("array-body", `[{"event_type":"dbr-array"}]`, 400, dbrNotObject),
		rd("string-body", `"dbr-string"`, 400, dbrNotObject),
		rd("null-body", `null`, 400, dbrNotObject),
		rd("invalid-utf8", "{\"event_type\":\"dbr-\xff\xfe\"}", 400, dbrParse),
		rd("invalid-utf8-in-payload", "{\"event_type\":\"dbr-utf8\",\"client_payload\":{\"a\":\"\xc3\x28\"}}", 400, dbrParse),
		loose(rd("2MiB-content-length", huge, 413, ""), ""),
		loose(with(rd("2MiB-chunked", huge, 413, ""), func(c *dbrCase) { c.chunked = true }), ""),
		// ---- repository_dispatch: who may ----
		with(rd("anonymous", `{"event_type":"dbr-anon"}`, 401, "Requires authentication"), func(c *dbrCase) { c.auth = "anon" }),
		with(rd("bad-credentials", `{"event_type":"dbr-bad"}`, 401, "Bad credentials"), func(c *dbrCase) { c.auth, c.doc = "bad", dbrAnyDoc }),
		with(rd("read-collaborator", `{"event_type":"dbr-reader"}`, 404, dbrNotFound), func(c *dbrCase) { c.auth = "reader" }),
		with(rd("classic-without-repo-scope", `{"event_type":"dbr-noscope"}`, 0, ""), func(c *dbrCase) {
			c.auth = "no-repo"
			c.oneOf = []dbrWant{{403, "Resource not accessible by personal access token"}, {404, dbrNotFound}}
		}),
		with(rd("fine-grained-contents-read", `{"event_type":"dbr-fgread"}`, 403, "Resource not accessible by personal access token"), func(c *dbrCase) { c.auth = "fg-read" }),
		with(rd("fine-grained-actions-write", `{"event_type":"dbr-fgactions"}`, 403, "Resource not accessible by personal access token"), func(c *dbrCase) { c.auth = "fg-actions" }),
		{name: "rd/unknown-repository", target: "/api/v3/repos/admin/nope/dispatches", body: `{"event_type":"x"}`, want: 404, msg: dbrNotFound},
		// ---- repository_dispatch: Idempotency-Key ----
		loose(with(rd("idempotency-key-256", `{"event_type":"dbr-key256"}`, 422, ""), func(c *dbrCase) {
			c.headers = map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}
		}), "", "Idempotency-Key"),
		// ---- repository_dispatch: the edges, accepted and counted ----
		{name: "rd/ok-event_type-100-chars", target: dbrRD, body: dbrJSON(map[string]any{"event_type": e100}), want: 204, events: 1, runs: 1},
		{name: "rd/ok-event_type-100-accented-chars", target: dbrRD, body: dbrJSON(map[string]any{"event_type": accented100}), want: 204, events: 1, runs: 1},
		{name: "rd/ok-client_payload-10-properties", target: dbrRD, body: dbrJSON(map[string]any{"event_type": "dbr-ten", "client_payload": tenProps}), want: 204, events: 1, runs: 1},
		{name: "rd/ok-client_payload-65535-bytes", target: dbrRD, body: `{"event_type":"dbr-limit","client_payload":` + payloadOf(65535) + `}`, want: 204, events: 1, runs: 1},
		{name: "rd/ok-idempotency-key-255", target: dbrRD, body: `{"event_type":"dbr-key255"}`, headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 255)},
			want: 204, events: 1, runs: 1},

		// ---- workflow_dispatch: bodies that are not a JSON object ----
		greet("malformed", `{"ref":`, 400, dbrParse),
		greet("trailing-garbage", `{"ref":"main"} x`, 400, dbrParse),
		greet("array-body", `[{"ref":"main"}]`, 400, dbrNotObject),
		greet("string-body", `"main"`, 400, dbrNotObject),
		greet("invalid-utf8", "{\"ref\":\"main\",\"inputs\":{\"source\":\"\xff\"}}", 400, dbrParse),
		loose(greet("2MiB-content-length", hugeWD, 413, ""), ""),
		loose(with(greet("2MiB-chunked", hugeWD, 413, ""), func(c *dbrCase) { c.chunked = true }), ""),
		// ---- workflow_dispatch: the request schema ----
		greet("empty-object", `{}`, 422, dbrInvalid+`"ref" wasn't supplied.`),
		greet("empty-body", ``, 422, dbrInvalid+`"ref" wasn't supplied.`),
		greet("ref-number", `{"ref":1}`, 422, dbrTypeError("ref", "1", "a string")),
		greet("ref-null", `{"ref":null}`, 422, dbrTypeError("ref", "nil", "a string")),
		loose(greet("ref-object", `{"ref":{"name":"main"}}`, 422, ""), dbrInvalid+"For 'properties/ref', ", "is not a string."),
		loose(greet("ref-empty", `{"ref":""}`, 422, ""), "", "ref"),
		greet("inputs-string", `{"ref":"main","inputs":"source=x"}`, 422, dbrTypeError("inputs", `"source=x"`, "an object")),
		loose(greet("inputs-array", `{"ref":"main","inputs":["source"]}`, 422, ""), dbrInvalid+"For 'properties/inputs', ", "is not an object."),
		greet("inputs-null", `{"ref":"main","inputs":null}`, 422, dbrTypeError("inputs", "nil", "an object")),
		loose(greet("inputs-26", dbrJSON(map[string]any{"ref": "main", "inputs": twentySixInputs}), 422, ""), dbrInvalid, "No more than 25 properties are allowed; 26 were supplied."),
		greet("return_run_details-string", `{"ref":"main","return_run_details":"yes"}`, 422, dbrTypeError("return_run_details", `"yes"`, "a boolean")),
		greet("return_run_details-number", `{"ref":"main","return_run_details":1}`, 422, dbrTypeError("return_run_details", "1", "a boolean")),
		greet("return_run_details-null", `{"ref":"main","return_run_details":null}`, 422, dbrTypeError("return_run_details", "nil", "a boolean")),
		loose(greet("unknown-key", `{"ref":"main","branch":"main"}`, 422, ""), dbrInvalid, `"branch"`),
		// ---- workflow_dispatch: the ref ----
		greet("unknown-ref", `{"ref":"nope"}`, 422, "No ref found for: nope"),
		greet("unknown-full-ref", `{"ref":"refs/heads/nope"}`, 422, "No ref found for: refs/heads/nope"),
		greet("unknown-tag", `{"ref":"refs/tags/v0.0.0"}`, 422, "No ref found for: refs/tags/v0.0.0"),
		// ---- workflow_dispatch: the inputs ----
		greet("unexpected-input", `{"ref":"main","inputs":{"x":"1"}}`, 422, `Unexpected inputs provided: ["x"]`),
		loose(greet("unexpected-inputs", `{"ref":"main","inputs":{"source":"s","b":"1","a":"2"}}`, 422, ""), "Unexpected inputs provided: [", `"a"`, `"b"`),
		loose(wd("missing-required-input", "dbr-extra.yml", `{"ref":"main","inputs":{"env":"prod"}}`, 422, ""), "", "target"),
		wd("bad-choice", "dbr-extra.yml", `{"ref":"main","inputs":{"target":"t","env":"staging"}}`, 422,
			"Provided value 'staging' for input 'env' not in the list of allowed values"),
		greet("bad-boolean", `{"ref":"main","inputs":{"debug":"maybe"}}`, 422, "Provided value 'maybe' for input 'debug' not in the list of allowed values"),
		greet("empty-boolean", `{"ref":"main","inputs":{"debug":""}}`, 422, "Provided value '' for input 'debug' not in the list of allowed values"),
		greet("input-null", `{"ref":"main","inputs":{"source":null}}`, 422, "For 'additionalProperties', nil is not a string."),
		loose(greet("input-object", `{"ref":"main","inputs":{"source":{"a":1}}}`, 422, ""), "For 'additionalProperties', ", "is not a string."),
		loose(greet("input-array", `{"ref":"main","inputs":{"source":["a"]}}`, 422, ""), "For 'additionalProperties', ", "is not a string."),
		loose(greet("inputs-over-65535", dbrJSON(map[string]any{"ref": "main", "inputs": map[string]any{"source": strings.Repeat("i", 70000)}}), 422, ""), "", "65535"),
		// ---- workflow_dispatch: the workflow ----
		wd("no-workflow_dispatch-trigger", "cd.yml", `{"ref":"main"}`, 422, "Workflow does not have 'workflow_dispatch' trigger"),
		wd("no-workflow_dispatch-trigger-any.yml", "any.yml", `{"ref":"main"}`, 422, "Workflow does not have 'workflow_dispatch' trigger"),
		with(greet("disabled", `{"ref":"main"}`, 422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow"), func(c *dbrCase) {
			c.before, c.after = dbrSetWorkflow(s, "greet.yml", true), dbrSetWorkflow(s, "greet.yml", false)
		}),
		wd("unknown-id", "999999999", `{"ref":"main"}`, 404, dbrNotFound),
		wd("unknown-huge-id", "99999999999999999999999", `{"ref":"main"}`, 404, dbrNotFound),
		wd("unknown-file", "nope.yml", `{"ref":"main"}`, 404, dbrNotFound),
		// ---- workflow_dispatch: path tricks in workflow_id ----
		with(wd("path-traversal", "..%2f..%2fetc%2fpasswd", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-dotdot", "%2e%2e", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-nul", "a%00b.yml", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-nul-after-real-name", "greet.yml%00", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-backslash", "..%5c..%5cgreet.yml", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-300-chars", strings.Repeat("w", 296)+".yml", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-10000-chars", strings.Repeat("w", 10000), `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		with(wd("path-full-workflow-path", ".github%2fworkflows%2fgreet.yml", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.doc = dbrAnyDoc }),
		// ---- workflow_dispatch: who may ----
		with(greet("anonymous", `{"ref":"main"}`, 401, "Requires authentication"), func(c *dbrCase) { c.auth = "anon" }),
		with(greet("read-collaborator", `{"ref":"main"}`, 404, dbrNotFound), func(c *dbrCase) { c.auth = "reader" }),
		with(greet("classic-without-repo-scope", `{"ref":"main"}`, 0, ""), func(c *dbrCase) {
			c.auth = "no-repo"
			c.oneOf = []dbrWant{{403, "Resource not accessible by personal access token"}, {404, dbrNotFound}}
		}),
		with(greet("fine-grained-contents-read", `{"ref":"main"}`, 403, "Resource not accessible by personal access token"), func(c *dbrCase) { c.auth = "fg-read" }),
		{name: "wd/unknown-repository", target: "/api/v3/repos/admin/nope/actions/workflows/greet.yml/dispatches", body: `{"ref":"main"}`, want: 404, msg: dbrNotFound, doc: dbrWDDoc},
		// ---- workflow_dispatch: Idempotency-Key ----
		loose(with(greet("idempotency-key-256", `{"ref":"main"}`, 422, ""), func(c *dbrCase) {
			c.headers = map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}
		}), "", "Idempotency-Key"),
		// ---- workflow_dispatch: accepted with actions:write alone, counted ----
		{name: "wd/ok-fine-grained-actions-write", target: dbrWD("greet.yml"), auth: "fg-actions", body: `{"ref":"main"}`, want: 204, events: 1, runs: 1},
	}

	bad := 0
	for _, c := range cases {
		if c.events == 0 {
			bad++
		}
	}
	if bad < 45 {
		t.Fatalf("only %d bad requests in the table", bad)
	}

	wantEvents, wantRuns := beforeEvents, beforeRuns
	for _, c := range cases {
		wantEvents += c.events
		wantRuns += c.runs
		t.Run(c.name, func(t *testing.T) {
			if c.after != nil {
				defer c.after(t)
			}
			if c.before != nil {
				c.before(t)
			}
			authorization, ok := auth[c.auth]
			if !ok {
				t.Fatalf("no caller %q", c.auth)
			}
			r := dbrSend(t, s, c, authorization)
			t.Logf("POST %s → %d %s", dbrShort(c.target), r.Status, dbrShort(string(r.Body)))
			dbrCheck(t, c, r)
		})
	}

	t.Run("nothing-stored", func(t *testing.T) {
		events, runs := dbrTotals(t, s)
		if events != wantEvents || runs != wantRuns {
			t.Errorf("after the table: %d events and %d runs; want %d and %d (before: %d and %d, plus only the accepted edge cases)",
				events, runs, wantEvents, wantRuns, beforeEvents, beforeRuns)
		}
		// No event carries an event type the bad requests used.
		r := s.do("GET", dbrRD+"?per_page=100", s.Token, nil)
		list, _ := r.JSON(t)["dispatches"].([]any)
		for _, e := range list {
			typ, _ := e.(map[string]any)["event_type"].(string)
			switch typ {
			case "", e100, accented100, "dbr-ten", "dbr-limit", "dbr-key255":
			default:
				t.Errorf("stored event of type %q", dbrShort(typ))
			}
		}
		// The disabled case left greet.yml as it found it.
		if r := s.do("GET", dbrRepo+"/actions/workflows/greet.yml", s.Token, nil); r.Status != 200 || r.JSON(t)["state"] != "active" {
			t.Errorf("greet.yml after the table: %d %s", r.Status, r.Body)
		}
	})

	t.Run("still-dispatches", func(t *testing.T) {
		r := s.do("POST", dbrRD, s.Token, map[string]any{"event_type": "trigger-deploy", "client_payload": map[string]any{"image_tag": "after"}})
		if r.Status != 204 || r.Header.Get("X-Dispatch-Id") == "" {
			t.Fatalf("a good dispatch after the table: %d %s", r.Status, r.Body)
		}
		r = s.do("POST", dbrWD("greet.yml"), s.Token, map[string]any{"ref": "main", "inputs": map[string]any{"debug": false}})
		if r.Status != 204 {
			t.Fatalf("a good workflow dispatch after the table: %d %s", r.Status, r.Body)
		}
		events, runs := dbrTotals(t, s)
		if events != wantEvents+2 || runs != wantRuns+3 {
			t.Fatalf("after two good dispatches: %d events, %d runs; want %d and %d", events, runs, wantEvents+2, wantRuns+3)
		}
	})
}

// dbrCheck asserts one answer: never a 500, always a request id, the
// status, and for an error GitHub's body.
func dbrCheck(t *testing.T, c dbrCase, r response) {
	t.Helper()
	if r.Header.Get("X-GitHub-Request-Id") == "" {
		t.Errorf("no X-GitHub-Request-Id header")
	}
	if r.Status >= 500 {
		t.Fatalf("server error %d\n%s", r.Status, r.Body)
	}
	wants := c.oneOf
	if wants == nil {
		wants = []dbrWant{{c.want, c.msg}}
	}
	var want *dbrWant
	for i := range wants {
		if wants[i].status == r.Status {
			want = &wants[i]
		}
	}
	if want == nil {
		t.Fatalf("status %d, want %v\n%s", r.Status, wants, dbrShort(string(r.Body)))
	}

	if r.Status < 400 {
		if r.Status == 204 && r.Header.Get("X-Dispatch-Id") == "" {
			t.Errorf("an accepted dispatch without X-Dispatch-Id")
		}
		if c.events == 0 {
			t.Errorf("accepted, but the case expects it to store nothing")
		}
		return
	}
	if id := r.Header.Get("X-Dispatch-Id"); id != "" {
		t.Errorf("a refused dispatch names event %s", id)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil || body == nil {
		t.Fatalf("error body is not a JSON object: %v\n%s", err, dbrShort(string(r.Body)))
	}
	msg, _ := body["message"].(string)
	doc, _ := body["documentation_url"].(string)
	status, _ := body["status"].(string)
	if msg == "" {
		t.Errorf("no message: %s", r.Body)
	}
	if status != strconv.Itoa(r.Status) {
		t.Errorf("status %q in the body, want %q", status, strconv.Itoa(r.Status))
	}
	wantDoc := c.doc
	if wantDoc == "" {
		wantDoc = dbrRDDoc
	}
	if wantDoc == dbrAnyDoc {
		if !strings.HasPrefix(doc, "https://docs.github.com/") {
			t.Errorf("documentation_url %q, want a docs.github.com page", doc)
		}
	} else if doc != wantDoc {
		t.Errorf("documentation_url %q, want %q", doc, wantDoc)
	}
	if want.msg != "" && msg != want.msg {
		t.Errorf("message\n  %q\nwant\n  %q", msg, want.msg)
	}
	if !strings.HasPrefix(msg, c.prefix) {
		t.Errorf("message %q does not start with %q", msg, c.prefix)
	}
	for _, sub := range c.contains {
		if !strings.Contains(msg, sub) {
			t.Errorf("message %q does not mention %q", msg, sub)
		}
	}
	if c.fields != nil || c.anyErrors {
		errs, _ := body["errors"].([]any)
		if len(errs) == 0 {
			t.Errorf("no errors array: %s", dbrShort(string(r.Body)))
		}
		var got []string
		for _, e := range errs {
			e, _ := e.(map[string]any)
			field, _ := e["field"].(string)
			code, _ := e["code"].(string)
			if code == "" {
				t.Errorf("errors entry without a code: %v", e)
			}
			got = append(got, field)
		}
		if c.fields != nil && strings.Join(got, " ") != strings.Join(c.fields, " ") {
			t.Errorf("errors fields %q, want %q\n%s", got, c.fields, dbrShort(string(r.Body)))
		}
	}
}
