package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Real responses checked against GitHub's own OpenAPI description (the
// subset in testdata): what go-github, Octokit and gh decode must be there,
// with the right types.

// oaSpec loads the subset and points its servers at the test server, so
// that a router matches the requests we really send.
func oaSpec(t *testing.T, base string) (*openapi3.T, routers.Router) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../testdata/openapi-subset.json")
	if err != nil {
		t.Fatalf("loading the OpenAPI subset: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base + "/api/v3"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return doc, router
}

// oaValidate sends GET path and validates the response against the
// operation it routes to; it returns the decoded body and the validation error.
func oaValidate(t *testing.T, s *server, router routers.Router, path, token string, mutate func(body []byte) []byte) (any, error) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	r := s.send(req)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no operation in the spec for GET %s: %v", path, err)
	}
	body := r.Body
	if mutate != nil {
		body = mutate(body)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		MultiError:            true,
		IncludeResponseStatus: true,
	}
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), reqInput); err != nil {
		t.Fatalf("our own request to %s does not match the spec: %v", path, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 r.Status,
		Header:                 r.Header,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", path, err)
	}
	return v, openapi3filter.ValidateResponse(context.Background(), input)
}

func TestOpenAPIResponses(t *testing.T) {
	s := startServer(t)
	s.admin("user", "create", "alice")
	alice := strings.TrimSpace(s.admin("token", "create", "--user", "alice", "--scopes", "repo,workflow"))
	s.createRepo(alice, map[string]any{"name": "app", "auto_init": true, "description": "an app"})
	s.createRepo(alice, map[string]any{"name": "secret", "private": true})
	s.pushFiles("alice/app", alice, "main", map[string]string{
		".github/workflows/ci.yml":     azWorkflow,
		".github/workflows/deploy.yml": "name: Deploy\non:\n  workflow_dispatch:\n  repository_dispatch:\n    types: [deploy]\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo deploy\n",
		".github/workflows/broken.yml": "on: [push\njobs: {}\n",
	})
	// A disabled workflow has another state, which the spec enumerates.
	if r := s.do("PUT", "/api/v3/repos/alice/app/actions/workflows/deploy.yml/disable", alice, nil); r.Status != 204 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	doc, router := oaSpec(t, s.URL)

	var workflows []any
	t.Run("list-workflows", func(t *testing.T) {
		for _, path := range []string{
			"/api/v3/repos/alice/app/actions/workflows",
			"/api/v3/repos/alice/app/actions/workflows?per_page=1&page=2",
			"/api/v3/repos/alice/secret/actions/workflows", // none: an empty list, still the schema
		} {
			v, err := oaValidate(t, s, router, path, alice, nil)
			if err != nil {
				t.Fatalf("GET %s does not match the spec:\n%v", path, err)
			}
			if path == "/api/v3/repos/alice/app/actions/workflows" {
				m := v.(map[string]any)
				workflows, _ = m["workflows"].([]any)
				if m["total_count"] != float64(len(workflows)) || len(workflows) < 2 {
					t.Fatalf("total_count %v with %d workflows", m["total_count"], len(workflows))
				}
			}
		}
	})
	if len(workflows) == 0 {
		t.Fatal("no workflows listed")
	}

	t.Run("get-workflow", func(t *testing.T) {
		for _, w := range workflows {
			w := w.(map[string]any)
			id := strconv.FormatInt(int64(w["id"].(float64)), 10)
			file := w["path"].(string)[strings.LastIndex(w["path"].(string), "/")+1:]
			for _, ref := range []string{id, file} {
				path := "/api/v3/repos/alice/app/actions/workflows/" + ref
				t.Run(ref, func(t *testing.T) {
					v, err := oaValidate(t, s, router, path, alice, nil)
					if err != nil {
						t.Fatalf("GET %s does not match the spec:\n%v", path, err)
					}
					if got := v.(map[string]any); got["id"] != w["id"] || got["path"] != w["path"] || got["state"] != w["state"] {
						t.Fatalf("by %s: %v, listed as %v", ref, got, w)
					}
				})
			}
		}
	})

	// The validator is not a rubber stamp: the same response, broken, fails.
	t.Run("validator-rejects-broken-workflow", func(t *testing.T) {
		w := workflows[0].(map[string]any)
		path := "/api/v3/repos/alice/app/actions/workflows/" + strconv.FormatInt(int64(w["id"].(float64)), 10)
		for name, mutate := range map[string]func(map[string]any){
			"state-not-in-enum": func(m map[string]any) { m["state"] = "sleeping" },
			"id-missing":        func(m map[string]any) { delete(m, "id") },
			"id-string":         func(m map[string]any) { m["id"] = "7" },
			"created_at-format": func(m map[string]any) { m["created_at"] = "yesterday" },
		} {
			_, err := oaValidate(t, s, router, path, alice, func(body []byte) []byte {
				var m map[string]any
				json.Unmarshal(body, &m)
				mutate(m)
				out, _ := json.Marshal(m)
				return out
			})
			if err == nil {
				t.Errorf("%s: a broken workflow passed validation", name)
			}
		}
	})

	schema := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("no schema %q in the subset", name)
		}
		return ref.Value
	}
	t.Run("repository", func(t *testing.T) {
		for _, full := range []string{"alice/app", "alice/secret"} {
			r := s.do("GET", "/api/v3/repos/"+full, alice, nil)
			if r.Status != 200 {
				t.Fatalf("GET %s: %d %s", full, r.Status, r.Body)
			}
			var repo map[string]any
			if err := json.Unmarshal(r.Body, &repo); err != nil {
				t.Fatal(err)
			}
			if err := schema("minimal-repository").VisitJSON(repo, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
				t.Errorf("%s is not a minimal-repository:\n%v", full, err)
			}
			if err := schema("simple-user").VisitJSON(repo["owner"], openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
				t.Errorf("%s owner is not a simple-user:\n%v", full, err)
			}
			// And the schemas do check: a repository without its owner is refused.
			delete(repo, "owner")
			if err := schema("minimal-repository").VisitJSON(repo); err == nil {
				t.Errorf("a repository without owner passed minimal-repository")
			}
		}
		// The repository in a listing has the same shape.
		r := s.do("GET", "/api/v3/user/repos", alice, nil)
		var repos []any
		if err := json.Unmarshal(r.Body, &repos); err != nil || len(repos) != 2 {
			t.Fatalf("GET /user/repos: %d %s", r.Status, r.Body)
		}
		for _, repo := range repos {
			if err := schema("minimal-repository").VisitJSON(repo, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
				t.Errorf("listed repository is not a minimal-repository:\n%v", err)
			}
		}
		// GET /user is at least a simple-user.
		r = s.do("GET", "/api/v3/user", alice, nil)
		var user any
		json.Unmarshal(r.Body, &user)
		if err := schema("simple-user").VisitJSON(user, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
			t.Errorf("GET /user is not a simple-user:\n%v", err)
		}
	})

	// Error bodies are basic-error.
	t.Run("basic-error", func(t *testing.T) {
		for _, path := range []string{"/api/v3/repos/alice/nope", "/api/v3/repos/alice/app/actions/workflows/nope.yml"} {
			r := s.do("GET", path, alice, nil)
			var body any
			if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != 404 {
				t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
			}
			if err := schema("basic-error").VisitJSON(body, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
				t.Errorf("GET %s: not a basic-error:\n%v", path, err)
			}
		}
	})
}
