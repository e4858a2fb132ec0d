package webhook_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
	"github.com/google/go-github/v92/github"
)

// received is what a go-github receiver made of one delivery.
type received struct {
	event  any
	header http.Header
	err    error
}

// goGitHubReceiver validates and parses deliveries the way GitHub's Go
// users do, with secret as its webhook secret.
func goGitHubReceiver(secret string, out chan<- received) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := received{header: r.Header.Clone()}
		payload, err := github.ValidatePayload(r, []byte(secret))
		if err == nil {
			rec.event, err = github.ParseWebHook(github.WebHookType(r), payload)
		}
		if err == nil && secret != "" {
			// A wrong secret must not validate the same request.
			if _, werr := github.ValidatePayloadFromBody(r.Header.Get("Content-Type"), bytes.NewReader(body),
				r.Header.Get(github.SHA256SignatureHeader), []byte("wrong")); werr == nil {
				err = fmt.Errorf("a wrong secret validated the delivery")
			}
		}
		rec.err = err
		out <- rec
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
}

const pingPayload = `{"zen":"Keep it logically awesome.","hook_id":%d,"hook":{"type":"Repository","id":%d,"name":"web","active":true,
"events":["*"],"config":{"content_type":"json","insecure_ssl":"0","url":"http://example.com"}},
"repository":{"id":42,"name":"hello","full_name":"octocat/hello"},"sender":{"login":"octocat","id":1,"type":"User"}}`

const dispatchPayload = `{"action":"deploy","branch":"main","client_payload":{"unit":false,"note":"a & b = c?"},
"repository":{"id":42,"name":"hello","full_name":"octocat/hello"},"sender":{"login":"octocat","id":1,"type":"User"},
"installation":null}`

func TestGoGitHubReceiverAcceptsDeliveries(t *testing.T) {
	for _, scope := range []string{dispatchd.ScopeRepo, dispatchd.ScopeOrg} {
		for _, contentType := range []string{"json", "form"} {
			for _, secret := range []string{"", "It's a Secret to Everybody"} {
				t.Run(fmt.Sprintf("%s/%s/secret=%v", scope, contentType, secret != ""), func(t *testing.T) {
					testGoGitHubReceiver(t, scope, contentType, secret)
				})
			}
		}
	}
}

func testGoGitHubReceiver(t *testing.T, scope, contentType, secret string) {
	got := make(chan received, 2)
	srv := httptest.NewServer(goGitHubReceiver(secret, got))
	defer srv.Close()
	db := openStore(t)
	h := newHook(t, db, scope, srv.URL+"/hook", contentType, secret)
	ping := &dispatchd.Delivery{HookID: h.ID, Event: "ping", Payload: fmt.Appendf(nil, pingPayload, h.ID, h.ID)}
	rd := &dispatchd.Delivery{HookID: h.ID, Event: "repository_dispatch", Action: "deploy", RepoID: 42,
		Payload: []byte(dispatchPayload)}
	enqueue(t, db, ping, rd)
	start(t, db, true)

	for i, d := range []*dispatchd.Delivery{ping, rd} {
		r := <-got
		if r.err != nil {
			t.Fatalf("delivery %d: go-github: %v", i, r.err)
		}
		switch e := r.event.(type) {
		case *github.PingEvent:
			if d != ping || e.GetZen() != "Keep it logically awesome." || e.GetHookID() != h.ID {
				t.Fatalf("delivery %d parsed as %+v", i, e)
			}
		case *github.RepositoryDispatchEvent:
			if d != rd || e.GetAction() != "deploy" || e.GetBranch() != "main" || e.GetRepo().GetFullName() != "octocat/hello" ||
				!strings.Contains(string(e.ClientPayload), `"a & b = c?"`) {
				t.Fatalf("delivery %d parsed as %+v", i, e)
			}
		default:
			t.Fatalf("delivery %d parsed as %T", i, e)
		}
		wantType := map[string]string{"repo": "repository", "org": "organization"}[scope]
		for k, want := range map[string]string{
			"X-GitHub-Event": d.Event, "X-GitHub-Delivery": d.GUID, "X-GitHub-Hook-ID": strconv.FormatInt(h.ID, 10),
			"X-GitHub-Hook-Installation-Target-Type": wantType,
			"X-GitHub-Hook-Installation-Target-ID":   strconv.FormatInt(h.OwnerID, 10),
			"User-Agent":                             "GitHub-Hookshot/dispatchd",
			"Content-Type":                           map[string]string{"json": "application/json", "form": "application/x-www-form-urlencoded"}[contentType],
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		for _, k := range []string{"X-Hub-Signature-256", "X-Hub-Signature"} {
			if (r.header.Get(k) != "") != (secret != "") {
				t.Errorf("%s = %q with secret %q", k, r.header.Get(k), secret)
			}
		}
		done := finished(t, db, h.ID, d.ID)
		if done.State != dispatchd.DeliveryDelivered || done.StatusCode != 200 || done.Status != "OK" || done.Attempts != 1 ||
			done.RequestHeaders["X-GitHub-Delivery"] != d.GUID || done.Duration <= 0 {
			t.Fatalf("delivery %d recorded as %+v", i, done)
		}
	}
	hook, _ := db.FindHook(ctx, h.Scope, h.OwnerID, h.ID)
	if hook.LastResponse != (dispatchd.HookResponse{Code: 200, Status: dispatchd.HookStatusActive, Message: "OK"}) {
		t.Fatalf("hook last response = %+v", hook.LastResponse)
	}
}
