package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The runs API and the dispatch answers, validated against GitHub's own
// OpenAPI description (the subset in testdata): every real response must
// match its operation's schema for its status, and one deliberately broken
// copy of each proves that the validator really checks that schema.

// oarAPI validates dispatchd's answers against the subset.
type oarAPI struct {
	s      *server
	router routers.Router
	token  string
	client *http.Client // does not follow redirects: a 302 is an answer
}

func oarLoad(t *testing.T, s *server) *oarAPI {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("../testdata/openapi-subset.json")
	if err != nil {
		t.Fatalf("loading the OpenAPI subset: %v", err)
	}
	// The router matches requests against the servers: point them at ours.
	doc.Servers = openapi3.Servers{{URL: s.URL + "/api/v3"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &oarAPI{s: s, router: router, token: s.Token, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// oarCall is one request and the answer it got.
type oarCall struct {
	method, path string
	reqBody      []byte // nil: no body
	skipRequest  string // why our own request is not validated (the spec is narrower than GitHub); "" validates it
	resp         response
}

func (a *oarAPI) newRequest(t *testing.T, method, path string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// do sends the request; the status must be want.
func (a *oarAPI) do(t *testing.T, method, path string, body any, want int) *oarCall {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := a.client.Do(a.newRequest(t, method, path, data))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	c := &oarCall{method: method, path: path, reqBody: data, resp: response{Status: resp.StatusCode, Header: resp.Header, Body: got}}
	if c.resp.Status != want {
		t.Fatalf("%s %s: %d, want %d\n%s", method, path, c.resp.Status, want, got)
	}
	return c
}

// validate checks a response (the real one, or a doctored copy) against
// the operation the request routes to, and returns the validation error.
func (a *oarAPI) validate(t *testing.T, c *oarCall, status int, header http.Header, body []byte) error {
	t.Helper()
	req := a.newRequest(t, c.method, c.path, c.reqBody)
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		t.Fatalf("no operation in the spec for %s %s: %v", c.method, c.path, err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		MultiError:            true,
		IncludeResponseStatus: true, // a status the operation does not document is an error
	}
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if c.skipRequest == "" {
		if err := openapi3filter.ValidateRequest(context.Background(), reqInput); err != nil {
			t.Fatalf("our own request %s %s does not match the spec: %v", c.method, c.path, err)
		}
	}
	input := &openapi3filter.ResponseValidationInput{RequestValidationInput: reqInput, Status: status, Header: header, Options: opts}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// check validates the real response: a mismatch fails the test with the
// validator's error. It returns the decoded body.
func (a *oarAPI) check(t *testing.T, c *oarCall) any {
	t.Helper()
	if err := a.validate(t, c, c.resp.Status, c.resp.Header, c.resp.Body); err != nil {
		t.Errorf("%s %s → %d does not match the spec:\n%v\nbody: %s", c.method, c.path, c.resp.Status, err, oarShort(c.resp.Body))
	}
	var v any
	if len(c.resp.Body) > 0 {
		if err := json.Unmarshal(c.resp.Body, &v); err != nil {
			t.Errorf("%s %s: body is not JSON: %v", c.method, c.path, err)
		}
	}
	return v
}

// broken validates a doctored copy of the response's JSON body, which must fail.
func (a *oarAPI) broken(t *testing.T, c *oarCall, what string, doctor func(v any) any) {
	t.Helper()
	var v any
	if err := json.Unmarshal(c.resp.Body, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	data, _ := json.Marshal(doctor(v))
	err := a.validate(t, c, c.resp.Status, c.resp.Header, data)
	if err == nil {
		t.Errorf("%s %s with %s passed validation: the validator does not check this schema\n%s", c.method, c.path, what, oarShort(data))
		return
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	t.Logf("%s %s with %s is refused, as it must be: %s", c.method, c.path, what, first)
}

// brokenStatus validates the response under another status, which must fail.
func (a *oarAPI) brokenStatus(t *testing.T, c *oarCall, status int) {
	t.Helper()
	if err := a.validate(t, c, status, c.resp.Header, c.resp.Body); err == nil {
		t.Errorf("%s %s answered %d instead of %d passed validation", c.method, c.path, status, c.resp.Status)
	}
}

func oarShort(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

func oarObj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func oarList(v any, key string) []map[string]any {
	var out []map[string]any
	items, _ := oarObj(v)[key].([]any)
	for _, it := range items {
		out = append(out, oarObj(it))
	}
	return out
}

func oarID(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// oarFirst doctors the first element of a list member.
func oarFirst(key string, doctor func(m map[string]any)) func(v any) any {
	return func(v any) any {
		list, _ := oarObj(v)[key].([]any)
		if len(list) == 0 {
			return v // nothing to break: the caller's test sees it pass and fails
		}
		doctor(oarObj(list[0]))
		return v
	}
}

func oarSet(doctor func(m map[string]any)) func(v any) any {
	return func(v any) any { doctor(oarObj(v)); return v }
}

func TestOpenAPIRunsResponses(t *testing.T) {
	s := startServer(t, noRunners...)
	dispatchRepo(t, s)
	a := oarLoad(t, s)
	const repo = "/api/v3/repos/admin/svc"

	// A repository_dispatch that starts cd.yml (2 jobs) and any.yml (1 job).
	d := a.do(t, "POST", repo+"/dispatches", map[string]any{"event_type": "trigger-deploy", "client_payload": map[string]any{"image_tag": "oar-1", "environment": "prod"}}, 204)
	a.check(t, d)
	dispatchID := d.resp.Header.Get("X-Dispatch-Id")
	if dispatchID == "" {
		t.Fatal("no X-Dispatch-Id")
	}

	// workflow_dispatch with return_run_details: 200 workflow-dispatch-response.
	var greetRun string
	t.Run("workflow-dispatch-response", func(t *testing.T) {
		c := a.do(t, "POST", repo+"/actions/workflows/greet.yml/dispatches",
			map[string]any{"ref": "main", "inputs": map[string]any{"source": "oar", "debug": true}, "return_run_details": true}, 200)
		m := oarObj(a.check(t, c))
		greetRun = oarID(m["workflow_run_id"])
		if greetRun == "0" || m["run_url"] != s.URL+"/api/v3/repos/admin/svc/actions/runs/"+greetRun ||
			m["html_url"] != s.URL+"/admin/svc/actions/runs/"+greetRun {
			t.Errorf("workflow-dispatch-response = %v", m)
		}
		a.broken(t, c, "workflow_run_id as a string", oarSet(func(m map[string]any) { m["workflow_run_id"] = greetRun }))
		a.broken(t, c, "run_url missing", oarSet(func(m map[string]any) { delete(m, "run_url") }))
		// Without return_run_details the same call is a 204, also in the spec.
		a.check(t, a.do(t, "POST", repo+"/actions/workflows/greet.yml/dispatches", map[string]any{"ref": "main"}, 204))
	})
	if greetRun == "" || greetRun == "0" {
		t.Fatal("no greet run")
	}

	// The runs of the dispatch, by the dispatchd extension, to know their ids.
	ev := s.do("GET", repo+"/dispatches/"+dispatchID, s.Token, nil).JSON(t)
	var cdRun, anyRun string
	for _, r := range oarList(ev, "workflow_runs") {
		switch r["path"] {
		case ".github/workflows/cd.yml":
			cdRun = oarID(r["id"])
		case ".github/workflows/any.yml":
			anyRun = oarID(r["id"])
		}
	}
	if cdRun == "" || anyRun == "" {
		t.Fatalf("dispatch %s made runs %v", dispatchID, ev["workflow_runs"])
	}
	wfs := s.do("GET", repo+"/actions/workflows", s.Token, nil).JSON(t)
	var greetID string
	for _, w := range oarList(wfs, "workflows") {
		if w["path"] == ".github/workflows/greet.yml" {
			greetID = oarID(w["id"])
		}
	}
	if greetID == "" {
		t.Fatalf("no greet.yml in %v", wfs)
	}
	sha, _ := s.do("GET", repo+"/actions/runs/"+cdRun, s.Token, nil).JSON(t)["head_sha"].(string)
	if len(sha) != 40 {
		t.Fatalf("head_sha %q", sha)
	}

	t.Run("list-runs-for-repo", func(t *testing.T) {
		for _, f := range []struct {
			query string
			want  int    // total_count
			skip  string // why the request itself is not validated
		}{
			{"", 4, ""},
			{"?per_page=1", 4, ""},
			{"?per_page=2&page=2", 4, ""},
			{"?event=repository_dispatch", 2, ""},
			{"?event=workflow_dispatch", 2, ""},
			{"?event=push", 0, ""},
			{"?status=queued", 4, ""},
			{"?status=success", 0, ""},
			{"?branch=main", 4, ""},
			{"?branch=nope", 0, ""},
			{"?actor=admin", 4, ""},
			{"?actor=nobody", 0, ""},
			{"?head_sha=" + sha, 4, ""},
			{"?exclude_pull_requests=true", 4, ""},
			{"?created=" + url.QueryEscape(">=2020-01-01"), 4, "the spec types `created` as a date-time; GitHub takes search syntax"},
			{"?created=" + url.QueryEscape("<2020-01-01"), 0, "the spec types `created` as a date-time; GitHub takes search syntax"},
			{"?created=2020-01-01T00:00:00Z", 0, ""},
			{"?dispatch_id=" + dispatchID, 2, ""},
		} {
			name := f.query
			if name == "" {
				name = "no-filter"
			}
			t.Run(name, func(t *testing.T) {
				c := a.do(t, "GET", repo+"/actions/runs"+f.query, nil, 200)
				c.skipRequest = f.skip
				v := a.check(t, c)
				if n := oarObj(v)["total_count"]; n != float64(f.want) {
					t.Errorf("total_count %v, want %d", n, f.want)
				}
				runs := oarList(v, "workflow_runs")
				q, _ := url.ParseQuery(strings.TrimPrefix(f.query, "?"))
				perPage := 30
				if p, err := strconv.Atoi(q.Get("per_page")); err == nil {
					perPage = p
				}
				if want := min(perPage, f.want); q.Get("page") == "" && len(runs) != want {
					t.Errorf("%d runs on the page, want %d", len(runs), want)
				}
				for _, r := range runs {
					if e := q.Get("event"); e != "" && r["event"] != e {
						t.Errorf("event filter %q returned a %v run", e, r["event"])
					}
				}
			})
		}
		c := a.do(t, "GET", repo+"/actions/runs", nil, 200)
		a.broken(t, c, "workflow_runs[0].id as a string", oarFirst("workflow_runs", func(m map[string]any) { m["id"] = "1" }))
		a.broken(t, c, "workflow_runs[0] without head_commit", oarFirst("workflow_runs", func(m map[string]any) { delete(m, "head_commit") }))
		a.broken(t, c, "total_count missing", oarSet(func(m map[string]any) { delete(m, "total_count") }))
	})

	t.Run("list-workflow-runs", func(t *testing.T) {
		for _, ref := range []string{"greet.yml", greetID} {
			for _, q := range []string{"", "?status=queued", "?event=workflow_dispatch&per_page=1"} {
				c := a.do(t, "GET", repo+"/actions/workflows/"+ref+"/runs"+q, nil, 200)
				v := a.check(t, c)
				if n := oarObj(v)["total_count"]; n != float64(2) {
					t.Errorf("%s: total_count %v, want 2", c.path, n)
				}
				for _, r := range oarList(v, "workflow_runs") {
					if oarID(r["workflow_id"]) != greetID {
						t.Errorf("%s: a run of workflow %v", c.path, r["workflow_id"])
					}
				}
			}
		}
		c := a.do(t, "GET", repo+"/actions/workflows/greet.yml/runs", nil, 200)
		a.broken(t, c, "workflow_runs as an object", oarSet(func(m map[string]any) { m["workflow_runs"] = map[string]any{} }))
	})

	t.Run("get-run", func(t *testing.T) {
		for _, id := range []string{cdRun, anyRun, greetRun} {
			c := a.do(t, "GET", repo+"/actions/runs/"+id, nil, 200)
			if m := oarObj(a.check(t, c)); oarID(m["id"]) != id || m["run_attempt"] != float64(1) {
				t.Errorf("run %s = id %v attempt %v", id, m["id"], m["run_attempt"])
			}
		}
		c := a.do(t, "GET", repo+"/actions/runs/"+cdRun, nil, 200)
		a.broken(t, c, "run_number as a string", oarSet(func(m map[string]any) { m["run_number"] = "1" }))
		a.broken(t, c, "created_at not a date-time", oarSet(func(m map[string]any) { m["created_at"] = "yesterday" }))
		a.broken(t, c, "repository without owner", oarSet(func(m map[string]any) { delete(oarObj(m["repository"]), "owner") }))
	})

	var cdJob string
	t.Run("list-jobs", func(t *testing.T) {
		for _, f := range []struct {
			run  string
			q    string
			want int
		}{{cdRun, "", 2}, {cdRun, "?filter=latest", 2}, {cdRun, "?filter=all", 2}, {anyRun, "", 1}, {greetRun, "?per_page=1", 1}} {
			c := a.do(t, "GET", repo+"/actions/runs/"+f.run+"/jobs"+f.q, nil, 200)
			v := a.check(t, c)
			if n := oarObj(v)["total_count"]; n != float64(f.want) {
				t.Errorf("%s: total_count %v, want %d", c.path, n, f.want)
			}
			for _, j := range oarList(v, "jobs") {
				if oarID(j["run_id"]) != f.run {
					t.Errorf("%s: a job of run %v", c.path, j["run_id"])
				}
				if f.run == cdRun && cdJob == "" {
					cdJob = oarID(j["id"])
				}
			}
		}
		c := a.do(t, "GET", repo+"/actions/runs/"+cdRun+"/jobs", nil, 200)
		a.broken(t, c, "jobs[0].status not in the enum", oarFirst("jobs", func(m map[string]any) { m["status"] = "sleeping" }))
		a.broken(t, c, "jobs[0] without labels", oarFirst("jobs", func(m map[string]any) { delete(m, "labels") }))
	})
	if cdJob == "" {
		t.Fatal("no job of the cd run")
	}

	t.Run("get-job", func(t *testing.T) {
		c := a.do(t, "GET", repo+"/actions/jobs/"+cdJob, nil, 200)
		if m := oarObj(a.check(t, c)); oarID(m["id"]) != cdJob || oarID(m["run_id"]) != cdRun {
			t.Errorf("job %s = %v", cdJob, m)
		}
		a.broken(t, c, "conclusion not in the enum", oarSet(func(m map[string]any) { m["conclusion"] = "meh" }))
		a.broken(t, c, "labels as a string", oarSet(func(m map[string]any) { m["labels"] = "ubuntu-latest" }))
		a.broken(t, c, "steps[] item without name", oarSet(func(m map[string]any) {
			m["steps"] = []any{map[string]any{"status": "queued", "conclusion": nil, "number": 1}}
		}))
	})

	// Cancel the cd run (202 {}), then re-run it (201 {}): attempt 2, with attempt 1 kept.
	t.Run("cancel", func(t *testing.T) {
		c := a.do(t, "POST", repo+"/actions/runs/"+cdRun+"/cancel", nil, 202)
		if m := oarObj(a.check(t, c)); m == nil || len(m) != 0 {
			t.Errorf("cancel body %s, want {}", c.resp.Body)
		}
		a.broken(t, c, "a member in the empty object", oarSet(func(m map[string]any) { m["cancelled"] = true }))
		a.brokenStatus(t, c, 200)
		// Once completed, a second cancel is the documented 409, a basic-error.
		c = a.do(t, "POST", repo+"/actions/runs/"+cdRun+"/cancel", nil, 409)
		a.check(t, c)
		a.broken(t, c, "message as a number", oarSet(func(m map[string]any) { m["message"] = 409 }))
	})

	t.Run("rerun", func(t *testing.T) {
		c := a.do(t, "POST", repo+"/actions/runs/"+cdRun+"/rerun", map[string]any{"enable_debug_logging": false}, 201)
		if m := oarObj(a.check(t, c)); m == nil || len(m) != 0 {
			t.Errorf("rerun body %s, want {}", c.resp.Body)
		}
		a.broken(t, c, "an array instead of the empty object", func(any) any { return []any{} })
		a.brokenStatus(t, c, 202)
		// A re-run without a body is the same operation (of a completed run:
		// a queued one cannot be re-run).
		a.check(t, a.do(t, "POST", repo+"/actions/runs/"+anyRun+"/cancel", nil, 202))
		a.check(t, a.do(t, "POST", repo+"/actions/runs/"+anyRun+"/rerun", nil, 201))
	})

	t.Run("attempts", func(t *testing.T) {
		c := a.do(t, "GET", repo+"/actions/runs/"+cdRun, nil, 200)
		if m := oarObj(a.check(t, c)); m["run_attempt"] != float64(2) || m["status"] != "queued" || m["previous_attempt_url"] == nil {
			t.Errorf("after the re-run: attempt %v status %v previous %v", m["run_attempt"], m["status"], m["previous_attempt_url"])
		}
		c = a.do(t, "GET", repo+"/actions/runs/"+cdRun+"/attempts/1", nil, 200)
		if m := oarObj(a.check(t, c)); m["run_attempt"] != float64(1) || m["status"] != "completed" || m["conclusion"] != "cancelled" {
			t.Errorf("attempt 1: attempt %v status %v conclusion %v", m["run_attempt"], m["status"], m["conclusion"])
		}
		a.broken(t, c, "run_attempt as a string", oarSet(func(m map[string]any) { m["run_attempt"] = "1" }))
		a.broken(t, c, "pull_requests missing", oarSet(func(m map[string]any) { delete(m, "pull_requests") }))

		c = a.do(t, "GET", repo+"/actions/runs/"+cdRun+"/attempts/1/jobs", nil, 200)
		v := a.check(t, c)
		if n := oarObj(v)["total_count"]; n != float64(2) {
			t.Errorf("attempt 1 jobs: total_count %v", n)
		}
		for _, j := range oarList(v, "jobs") {
			if j["run_attempt"] != float64(1) || j["status"] != "completed" {
				t.Errorf("attempt 1 job: attempt %v status %v", j["run_attempt"], j["status"])
			}
		}
		a.broken(t, c, "jobs[0].run_id as a string", oarFirst("jobs", func(m map[string]any) { m["run_id"] = cdRun }))
		// An attempt that does not exist is the documented 404, a basic-error.
		c = a.do(t, "GET", repo+"/actions/runs/"+cdRun+"/attempts/3/jobs", nil, 404)
		a.check(t, c)
		a.broken(t, c, "documentation_url as an object", oarSet(func(m map[string]any) { m["documentation_url"] = map[string]any{} }))

		c = a.do(t, "GET", repo+"/actions/runs/"+cdRun+"/jobs?filter=all", nil, 200)
		if n := oarObj(a.check(t, c))["total_count"]; n != float64(4) {
			t.Errorf("jobs of all attempts: total_count %v, want 4", n)
		}
	})

	t.Run("logs-302", func(t *testing.T) {
		for _, path := range []string{
			repo + "/actions/runs/" + cdRun + "/logs",
			repo + "/actions/runs/" + cdRun + "/attempts/1/logs",
			repo + "/actions/jobs/" + cdJob + "/logs",
		} {
			c := a.do(t, "GET", path, nil, 302)
			a.check(t, c)
			loc := c.resp.Header.Get("Location")
			u, err := url.Parse(loc)
			if err != nil || !u.IsAbs() || !strings.HasPrefix(loc, s.URL+"/") {
				t.Errorf("%s: Location %q is not an absolute URL on the server", path, loc)
				continue
			}
			// The redirect leads somewhere real, without a token.
			resp, err := http.Get(loc)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: following Location: %d", path, resp.StatusCode)
			}
			a.brokenStatus(t, c, 200)
		}
	})
}
