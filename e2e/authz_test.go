package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The authorization matrix: one server, every repository route, every kind
// of caller, and the exact status (and for 401/403/404 the message) GitHub
// gives. The permission model is permission.go's: effective permission =
// token grant ∩ role; what the caller may not see is 404 like a missing
// repository; a token narrower than the role is 403 "Resource not accessible
// by personal access token"; no credentials where they are needed is 401
// "Requires authentication"; bad, expired or revoked credentials are 401
// "Bad credentials" everywhere; admin areas for a non-admin role are 403
// "Must have admin rights to Repository.".

const azWorkflow = `name: CI
on: workflow_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
`

// Expected outcomes, written short so that the table stays readable.
const (
	azOK200 = "200"
	azOK201 = "201"
	azOK204 = "204"
	azNF    = "404"     // 404 Not Found
	azRQ    = "401"     // 401 Requires authentication
	azBC    = "401bad"  // 401 Bad credentials
	azTF    = "403pat"  // 403 Resource not accessible by personal access token
	azAD    = "403adm"  // 403 Must have admin rights to Repository.
	azPA    = "403push" // 403 Must have push access to view repository collaborators.
	azGD    = "403git"  // 403 from git smart HTTP: the caller sees the repository but may not push
)

var azMessages = map[string]string{
	azNF: "Not Found",
	azRQ: "Requires authentication",
	azBC: "Bad credentials",
	azTF: "Resource not accessible by personal access token",
	azAD: "Must have admin rights to Repository.",
	azPA: "Must have push access to view repository collaborators.",
}

func azStatus(want string) int {
	n, _ := strconv.Atoi(want[:3])
	return n
}

// azActor is one kind of caller.
type azActor struct {
	name  string
	login string // the user behind the token; "" for anonymous and bad credentials
	token string
}

// azRoute is one route of api/routes.go (or git), with %s for OWNER/REPO.
type azRoute struct {
	method, path string
	body         any
	git          bool
}

var azRoutes = map[string]azRoute{
	"get-repo":       {method: "GET", path: "/api/v3/repos/%s"},
	"patch-repo":     {method: "PATCH", path: "/api/v3/repos/%s", body: map[string]any{"description": "touched by the matrix"}},
	"delete-repo":    {method: "DELETE", path: "/api/v3/repos/%s"},
	"get-collab":     {method: "GET", path: "/api/v3/repos/%s/collaborators/rita"},
	"put-collab":     {method: "PUT", path: "/api/v3/repos/%s/collaborators/carl", body: map[string]any{"permission": "pull"}},
	"delete-collab":  {method: "DELETE", path: "/api/v3/repos/%s/collaborators/carl"},
	"list-workflows": {method: "GET", path: "/api/v3/repos/%s/actions/workflows"},
	"get-workflow":   {method: "GET", path: "/api/v3/repos/%s/actions/workflows/ci.yml"},
	"disable":        {method: "PUT", path: "/api/v3/repos/%s/actions/workflows/ci.yml/disable"},
	"enable":         {method: "PUT", path: "/api/v3/repos/%s/actions/workflows/ci.yml/enable"},
	"git-upload":     {method: "GET", path: "/%s.git/info/refs?service=git-upload-pack", git: true},
	"git-receive":    {method: "GET", path: "/%s.git/info/refs?service=git-receive-pack", git: true},
}

// azRouteOrder is the order the repository rows run in: reads first, then
// writes that leave the matrix valid, DELETE repo last.
var azRouteOrder = []string{"get-repo", "get-collab", "list-workflows", "get-workflow", "patch-repo",
	"put-collab", "delete-collab", "disable", "enable", "git-upload", "git-receive"}

// azBadActors answer 401 Bad credentials on every route; they are added to every row.
var azBadActors = []string{"garbage", "badsum", "unknown", "expired", "revoked"}

// azRow is what every actor gets on one route of one repository.
type azRow struct {
	repo string
	want map[string]string // actor → outcome
}

// azCase is one cell of the matrix.
type azCase struct {
	route, repo, actor, want string
}

// azMatrix is the table. Columns: anon (no token), the bad-credential tokens
// (added by azCases), noscope (alice, classic, read:org only), owner (alice,
// classic repo), admin/writer/reader (collaborators with classic repo tokens),
// outsider (olga, another user's classic repo token), fgread (alice,
// fine-grained contents:read on pub and priv), fgactions (alice,
// fine-grained actions:write on pub and priv), fgother (alice, fine-grained
// with every permission, but on alice/other only); on the organization's
// repository also member (mia, organization member, classic repo).
var azMatrix = map[string][]azRow{
	"get-repo": {
		{"alice/pub", map[string]string{"anon": azOK200, "noscope": azOK200, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azOK200, "fgread": azOK200, "fgactions": azOK200, "fgother": azOK200}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azNF, "fgread": azOK200, "fgactions": azOK200, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK200, "member": azOK200, "reader": azOK200, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	// GitHub: "The authenticated user must have push access to the repository
	// to use this endpoint"; read-only callers get 403 "Must have push access
	// to view repository collaborators.", anonymous callers 401.
	"get-collab": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azOK204, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azPA, "outsider": azPA, "fgread": azOK204, "fgactions": azOK204, "fgother": azOK204}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azPA, "outsider": azNF, "fgread": azOK204, "fgactions": azOK204, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK204, "member": azPA, "reader": azPA, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"list-workflows": {
		{"alice/pub", map[string]string{"anon": azOK200, "noscope": azOK200, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azOK200, "fgread": azTF, "fgactions": azOK200, "fgother": azOK200}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azNF, "fgread": azTF, "fgactions": azOK200, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK200, "member": azOK200, "reader": azOK200, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"get-workflow": {
		{"alice/pub", map[string]string{"anon": azOK200, "noscope": azOK200, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azOK200, "fgread": azTF, "fgactions": azOK200, "fgother": azOK200}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azNF, "fgread": azTF, "fgactions": azOK200, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK200, "member": azOK200, "reader": azOK200, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"patch-repo": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK200, "admin": azOK200, "writer": azAD,
			"reader": azAD, "outsider": azAD, "fgread": azTF, "fgactions": azTF, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azAD,
			"reader": azAD, "outsider": azNF, "fgread": azTF, "fgactions": azTF, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK200, "member": azAD, "reader": azAD, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"put-collab": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK204, "admin": azOK204, "writer": azAD,
			"reader": azAD, "outsider": azAD, "fgread": azTF, "fgactions": azTF, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK204, "admin": azOK204, "writer": azAD,
			"reader": azAD, "outsider": azNF, "fgread": azTF, "fgactions": azTF, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK204, "member": azAD, "reader": azAD, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"delete-collab": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK204, "admin": azOK204, "writer": azAD,
			"reader": azAD, "outsider": azAD, "fgread": azTF, "fgactions": azTF, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK204, "admin": azOK204, "writer": azAD,
			"reader": azAD, "outsider": azNF, "fgread": azTF, "fgactions": azTF, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK204, "member": azAD, "reader": azAD, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"disable": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azNF, "outsider": azNF, "fgread": azTF, "fgactions": azOK204, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azNF, "outsider": azNF, "fgread": azTF, "fgactions": azOK204, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK204, "member": azNF, "reader": azNF, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	"enable": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azNF, "outsider": azNF, "fgread": azTF, "fgactions": azOK204, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azNF, "noscope": azNF, "owner": azOK204, "admin": azOK204, "writer": azOK204,
			"reader": azNF, "outsider": azNF, "fgread": azTF, "fgactions": azOK204, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azNF, "owner": azOK204, "member": azNF, "reader": azNF, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	// Git asks anonymous callers for credentials (401) rather than saying 404,
	// for a private repository too.
	"git-upload": {
		{"alice/pub", map[string]string{"anon": azOK200, "noscope": azOK200, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azOK200, "fgread": azOK200, "fgactions": azTF, "fgother": azOK200}},
		{"alice/priv", map[string]string{"anon": azRQ, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azOK200, "outsider": azNF, "fgread": azOK200, "fgactions": azTF, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azRQ, "owner": azOK200, "member": azOK200, "reader": azOK200, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
	// GitHub answers a push by someone who can see the repository but not
	// write to it with 403 ("Permission to OWNER/REPO.git denied to USER."),
	// not 404: the repository's existence is no secret to them.
	"git-receive": {
		{"alice/pub", map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azGD, "outsider": azGD, "fgread": azTF, "fgactions": azTF, "fgother": azTF}},
		{"alice/priv", map[string]string{"anon": azRQ, "noscope": azNF, "owner": azOK200, "admin": azOK200, "writer": azOK200,
			"reader": azGD, "outsider": azNF, "fgread": azTF, "fgactions": azTF, "fgother": azNF}},
		{"acme/orgrepo", map[string]string{"anon": azRQ, "owner": azOK200, "member": azGD, "reader": azGD, "writer": azNF,
			"outsider": azNF, "fgread": azNF}},
	},
}

// azCases flattens the matrix in run order, adding the bad-credential actors to every row.
func azCases() []azCase {
	var out []azCase
	for _, route := range azRouteOrder {
		for _, row := range azMatrix[route] {
			for _, actor := range azActorOrder {
				want, ok := row.want[actor]
				if !ok {
					continue
				}
				out = append(out, azCase{route, row.repo, actor, want})
			}
			for _, actor := range azBadActors {
				out = append(out, azCase{route, row.repo, actor, azBC})
			}
		}
	}
	return out
}

var azActorOrder = []string{"anon", "noscope", "owner", "admin", "writer", "reader", "member", "outsider", "fgread", "fgactions", "fgother"}

// azWorld is the matrix's server with its users, tokens and repositories.
type azWorld struct {
	s      *server
	actors map[string]azActor
}

// azTokenSecret makes a well-formed dispatchd classic token that was never
// issued: right prefix, right length, right checksum (as token.go computes it).
func azTokenSecret(body string) string {
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	n := crc32.ChecksumIEEE([]byte(body))
	sum := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sum[i] = base62[n%62]
		n /= 62
	}
	return "dsp_" + body + string(sum)
}

func azSetup(t *testing.T) *azWorld {
	s := startServer(t)
	w := &azWorld{s: s, actors: map[string]azActor{}}
	for _, u := range []string{"alice", "adam", "will", "rita", "olga", "carl", "mia"} {
		s.admin("user", "create", u)
	}
	tok := func(user, name string, args ...string) string {
		out := strings.TrimSpace(s.admin(append([]string{"token", "create", "--user", user, "--name", name}, args...)...))
		if !strings.HasPrefix(out, "dsp_") {
			t.Fatalf("token create %s: %q", name, out)
		}
		return out
	}
	// The expiring token first, so that the rest of the setup outlives it.
	expired := tok("alice", "az-expired", "--scopes", "repo", "--expires", "1s")
	expiredAt := time.Now().Add(time.Second)

	alice := tok("alice", "az-owner", "--scopes", "repo,workflow")
	s.createRepo(alice, map[string]any{"name": "pub", "auto_init": true})
	s.createRepo(alice, map[string]any{"name": "priv", "auto_init": true, "private": true})
	s.createRepo(alice, map[string]any{"name": "other", "auto_init": true, "private": true})
	for _, name := range []string{"tmp-pub-owner", "tmp-pub-admin", "tmp-rename"} {
		s.createRepo(alice, map[string]any{"name": name})
	}
	for _, name := range []string{"tmp-priv-owner", "tmp-priv-admin"} {
		s.createRepo(alice, map[string]any{"name": name, "private": true})
	}
	s.admin("org", "create", "acme", "--owner", "alice")
	s.admin("org", "add-member", "acme", "mia")
	if r := s.do("POST", "/api/v3/orgs/acme/repos", alice, map[string]any{"name": "orgrepo", "private": true, "auto_init": true}); r.Status != 201 {
		t.Fatalf("create acme/orgrepo: %d %s", r.Status, r.Body)
	}
	for _, full := range []string{"alice/pub", "alice/priv", "acme/orgrepo"} {
		s.pushFiles(full, alice, "main", map[string]string{".github/workflows/ci.yml": azWorkflow})
	}
	collab := func(full, user, perm string) {
		if r := s.do("PUT", "/api/v3/repos/"+full+"/collaborators/"+user, alice, map[string]any{"permission": perm}); r.Status != 204 {
			t.Fatalf("add %s to %s: %d %s", user, full, r.Status, r.Body)
		}
	}
	for _, full := range []string{"alice/pub", "alice/priv"} {
		collab(full, "adam", "admin")
		collab(full, "will", "push")
		collab(full, "rita", "pull")
	}
	collab("acme/orgrepo", "rita", "pull")
	collab("alice/tmp-pub-admin", "adam", "admin")
	collab("alice/tmp-priv-admin", "adam", "admin")

	revoked := tok("alice", "az-revoked", "--scopes", "repo")
	var list []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(s.admin("token", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.Name == "az-revoked" {
			s.admin("token", "revoke", strconv.FormatInt(l.ID, 10))
		}
	}

	add := func(name, login, token string) { w.actors[name] = azActor{name: name, login: login, token: token} }
	add("anon", "", "")
	add("garbage", "", "garbage-not-a-token")
	add("badsum", "", "dsp_"+strings.Repeat("A", 36))
	add("unknown", "", azTokenSecret("NeverIssuedNeverIssuedNeverIss"))
	add("expired", "", expired)
	add("revoked", "", revoked)
	add("noscope", "alice", tok("alice", "az-noscope", "--scopes", "read:org"))
	add("owner", "alice", alice)
	add("admin", "adam", tok("adam", "az-admin", "--scopes", "repo"))
	add("writer", "will", tok("will", "az-writer", "--scopes", "repo"))
	add("reader", "rita", tok("rita", "az-reader", "--scopes", "repo"))
	add("outsider", "olga", tok("olga", "az-outsider", "--scopes", "repo"))
	add("member", "mia", tok("mia", "az-member", "--scopes", "repo"))
	add("fgread", "alice", tok("alice", "az-fgread", "--repo", "alice/pub", "--repo", "alice/priv", "--permission", "contents:read"))
	add("fgactions", "alice", tok("alice", "az-fgactions", "--repo", "alice/pub", "--repo", "alice/priv", "--permission", "actions:write"))
	add("fgother", "alice", tok("alice", "az-fgother", "--repo", "alice/other",
		"--permission", "contents:write", "--permission", "actions:write", "--permission", "administration:write"))

	// The setup is only valid if the workflow was indexed everywhere and the
	// expiring token is past its time.
	for _, full := range []string{"alice/pub", "alice/priv", "acme/orgrepo"} {
		r := s.do("GET", "/api/v3/repos/"+full+"/actions/workflows", alice, nil)
		if r.Status != 200 || r.JSON(t)["total_count"] != float64(1) {
			t.Fatalf("workflows of %s after push: %d %s", full, r.Status, r.Body)
		}
	}
	if d := time.Until(expiredAt); d > -500*time.Millisecond {
		time.Sleep(d + 500*time.Millisecond)
	}
	return w
}

// azSend sends one request as actor: Bearer for the API, Basic
// x-access-token:TOKEN for git, as git itself does.
func azSend(t *testing.T, s *server, a azActor, method, path string, body any, git bool) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if a.token != "" {
		if git {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("x-access-token:"+a.token)))
		} else {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
	}
	if !git {
		req.Header.Set("Accept", "application/vnd.github+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// azCheck asserts the outcome: the status, and for errors GitHub's body with
// the message; git's 401s carry a Basic challenge so that git asks for credentials.
func azCheck(t *testing.T, r response, want string, git bool) {
	t.Helper()
	if r.Status != azStatus(want) {
		t.Fatalf("status %d, want %d (%s)\n%s", r.Status, azStatus(want), want, r.Body)
	}
	if r.Status < 400 {
		if git && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-git-") {
			t.Fatalf("git advertisement with Content-Type %q", r.Header.Get("Content-Type"))
		}
		return
	}
	if git && r.Status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("git 401 without a Basic challenge: %v", r.Header)
	}
	msg, ok := azMessages[want]
	if !ok {
		return // azGD: git's 403 text is not part of the REST contract
	}
	var body struct {
		Message string `json:"message"`
		Doc     string `json:"documentation_url"`
		Status  string `json:"status"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, r.Body)
	}
	if body.Message != msg || !strings.HasPrefix(body.Doc, "https://docs.github.com/") || body.Status != strconv.Itoa(r.Status) {
		t.Fatalf("body %s, want message %q, a docs.github.com documentation_url and status %q", r.Body, msg, strconv.Itoa(r.Status))
	}
}

func TestAuthzMatrix(t *testing.T) {
	w := azSetup(t)
	s := w.s

	t.Run("repository-routes", func(t *testing.T) {
		for _, c := range azCases() {
			route := azRoutes[c.route]
			t.Run(c.route+"@"+strings.ReplaceAll(c.repo, "/", "-")+"/"+c.actor, func(t *testing.T) {
				r := azSend(t, s, w.actors[c.actor], route.method, fmt.Sprintf(route.path, c.repo), route.body, route.git)
				azCheck(t, r, c.want, route.git)
				if c.route == "get-repo" && r.Status == 200 {
					if full := r.JSON(t)["full_name"]; full != c.repo {
						t.Fatalf("full_name %v, want %s", full, c.repo)
					}
				}
			})
		}
	})

	// Role-based permissions in the repository object, for classic tokens.
	t.Run("repository-permissions", func(t *testing.T) {
		for _, c := range []struct {
			actor       string
			admin, push bool
		}{{"owner", true, true}, {"admin", true, true}, {"writer", false, true}, {"reader", false, false}} {
			r := azSend(t, s, w.actors[c.actor], "GET", "/api/v3/repos/alice/priv", nil, false)
			perms, _ := r.JSON(t)["permissions"].(map[string]any)
			if perms == nil || perms["admin"] != c.admin || perms["push"] != c.push || perms["pull"] != true {
				t.Errorf("%s: permissions %v, want admin=%v push=%v pull=true", c.actor, perms, c.admin, c.push)
			}
		}
	})

	// The header forms GitHub accepts: "Bearer", "token", and Basic with the
	// token as password; the scheme is case-insensitive.
	t.Run("auth-header-forms", func(t *testing.T) {
		owner := w.actors["owner"].token
		basic := base64.StdEncoding.EncodeToString([]byte("alice:" + owner))
		for _, h := range []string{"Bearer " + owner, "token " + owner, "bearer " + owner, "Basic " + basic} {
			req, _ := http.NewRequest("GET", s.URL+"/api/v3/repos/alice/priv", nil)
			req.Header.Set("Authorization", h)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("Authorization %q…: %d", h[:8], resp.StatusCode)
			}
		}
	})

	// After the matrix, carl is no collaborator and the workflow is active again.
	t.Run("matrix-left-state-consistent", func(t *testing.T) {
		owner := w.actors["owner"]
		for _, full := range []string{"alice/pub", "alice/priv", "acme/orgrepo"} {
			if r := azSend(t, s, owner, "GET", "/api/v3/repos/"+full+"/collaborators/carl", nil, false); r.Status != 404 {
				t.Errorf("%s: carl still a collaborator: %d", full, r.Status)
			}
			r := azSend(t, s, owner, "GET", "/api/v3/repos/"+full+"/actions/workflows/ci.yml", nil, false)
			if r.Status != 200 || r.JSON(t)["state"] != "active" {
				t.Errorf("%s: workflow after disable/enable: %d %s", full, r.Status, r.Body)
			}
		}
	})

	t.Run("user-routes", func(t *testing.T) {
		type userCase struct {
			route, actor, want string
			privListed         bool // GET /user/repos: alice/priv in the list
		}
		var cases []userCase
		// GET /user and GET /user/repos: anyone with valid credentials.
		for _, route := range []string{"GET /user", "GET /user/repos"} {
			cases = append(cases, userCase{route: route, actor: "anon", want: azRQ})
			for _, a := range azBadActors {
				cases = append(cases, userCase{route: route, actor: a, want: azBC})
			}
		}
		for _, c := range []struct {
			actor string
			priv  bool
		}{{"noscope", false}, {"owner", true}, {"admin", true}, {"writer", true}, {"reader", true}, {"member", false},
			{"outsider", false}, {"fgread", true}, {"fgactions", true}, {"fgother", false}} {
			cases = append(cases, userCase{route: "GET /user", actor: c.actor, want: azOK200})
			cases = append(cases, userCase{route: "GET /user/repos", actor: c.actor, want: azOK200, privListed: c.priv})
		}
		// POST /user/repos: classic tokens with repo; fine-grained tokens
		// and classic ones without repo are refused.
		create := map[string]string{"anon": azRQ, "noscope": azTF, "owner": azOK201, "admin": azOK201, "writer": azOK201,
			"reader": azOK201, "member": azOK201, "outsider": azOK201, "fgread": azTF, "fgactions": azTF, "fgother": azTF}
		for _, a := range azActorOrder {
			cases = append(cases, userCase{route: "POST /user/repos", actor: a, want: create[a]})
		}
		for _, a := range azBadActors {
			cases = append(cases, userCase{route: "POST /user/repos", actor: a, want: azBC})
		}
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.route, "/", "_")+"/"+c.actor, func(t *testing.T) {
				a := w.actors[c.actor]
				method, path, _ := strings.Cut(c.route, " ")
				var body any
				if method == "POST" {
					body = map[string]any{"name": "new-" + c.actor}
				}
				r := azSend(t, s, a, method, "/api/v3"+path+"?per_page=100", body, false)
				azCheck(t, r, c.want, false)
				switch {
				case c.route == "GET /user" && r.Status == 200:
					if login := r.JSON(t)["login"]; login != a.login {
						t.Fatalf("login %v, want %s", login, a.login)
					}
				case c.route == "GET /user/repos" && r.Status == 200:
					var repos []map[string]any
					if err := json.Unmarshal(r.Body, &repos); err != nil {
						t.Fatal(err)
					}
					listed := false
					for _, repo := range repos {
						if repo["full_name"] == "alice/priv" {
							listed = true
						}
					}
					if listed != c.privListed {
						t.Fatalf("alice/priv listed=%v, want %v", listed, c.privListed)
					}
				case c.route == "POST /user/repos":
					// Created under the token's user, or not at all.
					owner := w.actors["owner"]
					full := "alice/new-" + c.actor
					if a.login != "" {
						full = a.login + "/new-" + c.actor
					}
					if r.Status == 201 {
						if r.JSON(t)["full_name"] != full {
							t.Fatalf("created %s, want %s", r.JSON(t)["full_name"], full)
						}
						return
					}
					if got := azSend(t, s, owner, "GET", "/api/v3/repos/"+full, nil, false); got.Status != 404 {
						t.Fatalf("refused creation stored %s anyway: %d", full, got.Status)
					}
				}
			})
		}
	})

	// Listings never reveal a private repository the caller cannot see.
	t.Run("listings-do-not-leak", func(t *testing.T) {
		for _, c := range []struct {
			path, actor string
			listed      []string // must be there
			hidden      []string // must not
		}{
			{"/api/v3/users/alice/repos", "anon", []string{"alice/pub"}, []string{"alice/priv", "alice/other"}},
			{"/api/v3/users/alice/repos", "outsider", []string{"alice/pub"}, []string{"alice/priv", "alice/other"}},
			{"/api/v3/users/alice/repos", "noscope", []string{"alice/pub"}, []string{"alice/priv", "alice/other"}},
			{"/api/v3/users/alice/repos", "fgother", []string{"alice/pub"}, []string{"alice/priv"}},
			{"/api/v3/users/alice/repos", "fgread", []string{"alice/pub"}, []string{"alice/other"}},
			{"/api/v3/orgs/acme/repos", "anon", nil, []string{"acme/orgrepo"}},
			{"/api/v3/orgs/acme/repos", "outsider", nil, []string{"acme/orgrepo"}},
			{"/api/v3/orgs/acme/repos", "writer", nil, []string{"acme/orgrepo"}},
			{"/api/v3/orgs/acme/repos", "fgread", nil, []string{"acme/orgrepo"}},
			{"/api/v3/orgs/acme/repos", "member", []string{"acme/orgrepo"}, nil},
			{"/api/v3/user/repos", "fgother", []string{"alice/pub"}, []string{"alice/priv"}},
		} {
			t.Run(strings.ReplaceAll(c.path, "/", "_")+"/"+c.actor, func(t *testing.T) {
				r := azSend(t, s, w.actors[c.actor], "GET", c.path+"?per_page=100", nil, false)
				var repos []map[string]any
				if r.Status != 200 || json.Unmarshal(r.Body, &repos) != nil {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				got := map[any]bool{}
				for _, repo := range repos {
					got[repo["full_name"]] = true
				}
				for _, full := range c.listed {
					if !got[full] {
						t.Errorf("%s not listed", full)
					}
				}
				for _, full := range c.hidden {
					if got[full] {
						t.Errorf("%s listed: a private repository leaks", full)
					}
				}
			})
		}
	})

	// A private repository the caller cannot see answers exactly like one
	// that does not exist: same status, same bytes, on every route.
	t.Run("invisible-equals-missing", func(t *testing.T) {
		for _, actor := range []string{"anon", "outsider", "noscope", "fgother", "member"} {
			for _, route := range append(append([]string{}, azRouteOrder...), "delete-repo") {
				rt := azRoutes[route]
				t.Run(route+"/"+actor, func(t *testing.T) {
					a := w.actors[actor]
					priv := azSend(t, s, a, rt.method, fmt.Sprintf(rt.path, "alice/priv"), rt.body, rt.git)
					for _, missing := range []string{"alice/missing", "nobody/missing"} {
						m := azSend(t, s, a, rt.method, fmt.Sprintf(rt.path, missing), rt.body, rt.git)
						if priv.Status != m.Status || !bytes.Equal(priv.Body, m.Body) ||
							priv.Header.Get("Content-Type") != m.Header.Get("Content-Type") ||
							priv.Header.Get("WWW-Authenticate") != m.Header.Get("WWW-Authenticate") {
							t.Fatalf("alice/priv answers %d %q\n%s answers %d %q", priv.Status, priv.Body, missing, m.Status, m.Body)
						}
					}
					if priv.Status != 404 && priv.Status != 401 {
						t.Fatalf("alice/priv answers %d, want 404 (or git's 401 challenge)", priv.Status)
					}
				})
			}
		}
	})

	// Destructive routes last. Refusals run on the matrix's repositories
	// (a server that wrongly deleted would fail here, at the end);
	// successes on throwaway repositories.
	t.Run("destructive", func(t *testing.T) {
		del := []azCase{
			{"delete-repo", "alice/pub", "anon", azRQ},
			{"delete-repo", "alice/pub", "noscope", azTF},
			{"delete-repo", "alice/pub", "writer", azAD},
			{"delete-repo", "alice/pub", "reader", azAD},
			{"delete-repo", "alice/pub", "outsider", azAD},
			{"delete-repo", "alice/pub", "fgread", azTF},
			{"delete-repo", "alice/pub", "fgactions", azTF},
			{"delete-repo", "alice/pub", "fgother", azTF},
			{"delete-repo", "alice/priv", "anon", azNF},
			{"delete-repo", "alice/priv", "noscope", azNF},
			{"delete-repo", "alice/priv", "writer", azAD},
			{"delete-repo", "alice/priv", "reader", azAD},
			{"delete-repo", "alice/priv", "outsider", azNF},
			{"delete-repo", "alice/priv", "fgread", azTF},
			{"delete-repo", "alice/priv", "fgactions", azTF},
			{"delete-repo", "alice/priv", "fgother", azNF},
			{"delete-repo", "acme/orgrepo", "anon", azNF},
			{"delete-repo", "acme/orgrepo", "member", azAD},
			{"delete-repo", "acme/orgrepo", "reader", azAD},
			{"delete-repo", "acme/orgrepo", "writer", azNF},
			{"delete-repo", "acme/orgrepo", "outsider", azNF},
			{"delete-repo", "alice/tmp-pub-owner", "owner", azOK204},
			{"delete-repo", "alice/tmp-priv-owner", "owner", azOK204},
			{"delete-repo", "alice/tmp-pub-admin", "admin", azOK204},
			{"delete-repo", "alice/tmp-priv-admin", "admin", azOK204},
		}
		for _, a := range azBadActors {
			del = append(del, azCase{"delete-repo", "alice/pub", a, azBC}, azCase{"delete-repo", "alice/priv", a, azBC})
		}
		for _, c := range del {
			t.Run(c.route+"@"+strings.ReplaceAll(c.repo, "/", "-")+"/"+c.actor, func(t *testing.T) {
				r := azSend(t, s, w.actors[c.actor], "DELETE", "/api/v3/repos/"+c.repo, nil, false)
				azCheck(t, r, c.want, false)
				after := azSend(t, s, w.actors["owner"], "GET", "/api/v3/repos/"+c.repo, nil, false)
				if gone := after.Status == 404; gone != (r.Status == 204) {
					t.Fatalf("DELETE answered %d but GET afterwards answers %d", r.Status, after.Status)
				}
			})
		}
		t.Run("patch-rename@alice-tmp-rename/writer", func(t *testing.T) {
			r := azSend(t, s, w.actors["writer"], "PATCH", "/api/v3/repos/alice/tmp-rename", map[string]any{"name": "stolen"}, false)
			// will is no collaborator on tmp-rename: a public repository he may read but not administer.
			azCheck(t, r, azAD, false)
		})
		t.Run("patch-rename@alice-tmp-rename/owner", func(t *testing.T) {
			r := azSend(t, s, w.actors["owner"], "PATCH", "/api/v3/repos/alice/tmp-rename", map[string]any{"name": "tmp-renamed"}, false)
			azCheck(t, r, azOK200, false)
			if r.JSON(t)["full_name"] != "alice/tmp-renamed" {
				t.Fatalf("renamed to %v", r.JSON(t)["full_name"])
			}
			if r := azSend(t, s, w.actors["owner"], "GET", "/api/v3/repos/alice/tmp-renamed", nil, false); r.Status != 200 {
				t.Fatalf("GET the new name: %d", r.Status)
			}
			if r := azSend(t, s, w.actors["owner"], "GET", "/api/v3/repos/alice/stolen", nil, false); r.Status != 404 {
				t.Fatalf("the refused rename happened: %d", r.Status)
			}
		})
	})
}
