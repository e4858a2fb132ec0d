package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v92/github"
)

// Webhooks end to end: hooks created over the API and the CLI, deliveries
// received by receivers built as GitHub's Go users build them (go-github's
// ValidatePayload and ParseWebHook), on 127.0.0.1 only.

// withPrivateHooks lets the server deliver to the tests' receivers on
// loopback; no test reaches anything else.
var withPrivateHooks = append([]string{"--allow-private-webhooks"}, noRunners...)

// whDelivery is one request a receiver got.
type whDelivery struct {
	event, guid string
	header      http.Header
	payload     []byte // the JSON, out of the form when the hook sends forms
	parsed      any    // what github.ParseWebHook made of it
	err         error  // why validation or parsing failed
	answer      int
}

// whReceiver is a webhook receiver on 127.0.0.1 that validates each
// delivery with its secret and parses it with go-github, and answers
// status (200 unless set) to the valid ones, 400 to the others.
type whReceiver struct {
	url    string
	secret string
	status atomic.Int32
	mu     sync.Mutex
	got    []whDelivery
}

// whReserve returns a free loopback address for a receiver that starts
// later: until it does, deliveries to it are refused.
func whReserve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func newWHReceiver(t *testing.T, secret string) *whReceiver {
	t.Helper()
	rcv := &whReceiver{secret: secret}
	rcv.start(t, "127.0.0.1:0")
	return rcv
}

// whReceiverAt is a receiver for addr that is not listening yet.
func whReceiverAt(addr, secret string) *whReceiver {
	return &whReceiver{url: "http://" + addr + "/hook", secret: secret}
}

// start listens on addr (127.0.0.1:0 for any port) until the test ends.
func (rcv *whReceiver) start(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("receiver on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(rcv.serve))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	if rcv.url == "" {
		rcv.url = srv.URL + "/hook"
	}
}

func (rcv *whReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	d := whDelivery{event: github.WebHookType(r), guid: github.DeliveryID(r), header: r.Header.Clone()}
	d.payload, d.err = github.ValidatePayload(r, []byte(rcv.secret))
	if d.err == nil && (r.Header.Get(github.SHA256SignatureHeader) != "") != (rcv.secret != "") {
		d.err = fmt.Errorf("X-Hub-Signature-256 %q with secret %q", r.Header.Get(github.SHA256SignatureHeader), rcv.secret)
	}
	if d.err == nil {
		d.parsed, d.err = github.ParseWebHook(d.event, d.payload)
	}
	d.answer = http.StatusBadRequest
	if d.err == nil {
		d.answer = http.StatusOK
		if s := rcv.status.Load(); s != 0 {
			d.answer = int(s)
		}
	}
	rcv.mu.Lock()
	rcv.got = append(rcv.got, d)
	rcv.mu.Unlock()
	w.WriteHeader(d.answer)
	fmt.Fprintf(w, "answered %d", d.answer)
}

// all returns every delivery so far, in arrival order.
func (rcv *whReceiver) all() []whDelivery {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return append([]whDelivery(nil), rcv.got...)
}

// accepted returns the deliveries it answered 2xx, in arrival order.
func (rcv *whReceiver) accepted() []whDelivery {
	var out []whDelivery
	for _, d := range rcv.all() {
		if d.answer/100 == 2 {
			out = append(out, d)
		}
	}
	return out
}

// waitAccepted waits until n deliveries were accepted, failing at once on
// one that did not validate.
func (rcv *whReceiver) waitAccepted(t *testing.T, n int) []whDelivery {
	t.Helper()
	var got []whDelivery
	whEventually(t, fmt.Sprintf("%d deliveries at %s", n, rcv.url), func() bool {
		for _, d := range rcv.all() {
			if d.err != nil {
				t.Fatalf("delivery %s (%s) did not validate: %v\n%s", d.guid, d.event, d.err, d.payload)
			}
		}
		got = rcv.accepted()
		return len(got) >= n
	})
	return got
}

// whEventually polls cond until it holds, with a deadline far beyond
// what it should take.
func whEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// whCreateHook creates a hook over the API and returns it.
func whCreateHook(t *testing.T, s *server, token, ownerPath, hookURL, contentType, secret string, events ...string) map[string]any {
	t.Helper()
	config := map[string]any{"url": hookURL, "content_type": contentType}
	if secret != "" {
		config["secret"] = secret
	}
	r := s.do("POST", "/api/v3"+ownerPath+"/hooks", token, map[string]any{"name": "web", "config": config, "events": events})
	if r.Status != http.StatusCreated {
		t.Fatalf("create hook on %s: %d %s", ownerPath, r.Status, r.Body)
	}
	return r.JSON(t)
}

func whID(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// whDeliveries lists a hook's deliveries over the API, newest first.
func whDeliveries(t *testing.T, s *server, hookPath string) []map[string]any {
	t.Helper()
	r := s.do("GET", hookPath+"/deliveries?per_page=100", s.Token, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s/deliveries: %d %s", hookPath, r.Status, r.Body)
	}
	var list []map[string]any
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// whSettled waits until the hook's n deliveries all have status "OK".
func whSettled(t *testing.T, s *server, hookPath string, n int) []map[string]any {
	t.Helper()
	var list []map[string]any
	whEventually(t, fmt.Sprintf("%d delivered deliveries of %s", n, hookPath), func() bool {
		list = whDeliveries(t, s, hookPath)
		if len(list) < n {
			return false
		}
		for _, d := range list {
			if d["status"] != "OK" {
				return false
			}
		}
		return true
	})
	return list
}

// whCheckHook checks a hook object against GitHub's shape.
func whCheckHook(t *testing.T, s *server, h map[string]any, typ, ownerPath, hookURL, contentType string, hasSecret bool) {
	t.Helper()
	id := whID(h["id"])
	base := fmt.Sprintf("%s/api/v3%s/hooks/%d", s.URL, ownerPath, id)
	cfg, _ := h["config"].(map[string]any)
	last, _ := h["last_response"].(map[string]any)
	if id == 0 || h["type"] != typ || h["name"] != "web" || h["active"] != true || h["url"] != base ||
		h["ping_url"] != base+"/pings" || h["deliveries_url"] != base+"/deliveries" ||
		cfg["url"] != hookURL || cfg["content_type"] != contentType || cfg["insecure_ssl"] != "0" ||
		h["created_at"] == nil || h["updated_at"] == nil || last == nil || last["status"] == nil {
		t.Fatalf("hook = %v", h)
	}
	if _, ok := h["test_url"]; ok != (typ == "Repository") || (ok && h["test_url"] != base+"/tests") {
		t.Fatalf("hook test_url = %v (type %s)", h["test_url"], typ)
	}
	if secret, ok := cfg["secret"]; ok != hasSecret || (ok && secret != "********") {
		t.Fatalf("hook config secret = %v, want the mask: %v", secret, hasSecret)
	}
}

func TestWebhookDeliveriesToGoGitHubReceivers(t *testing.T) {
	s := startServer(t, withPrivateHooks...)
	repo := s.createRepo(s.Token, map[string]any{"name": "hooked", "auto_init": true})
	repoID := whID(repo["id"])
	s.pushFiles("admin/hooked", s.Token, "main", map[string]string{".github/workflows/greet.yml": greetWorkflow})
	const secret = "It's a Secret to Everybody"
	var answers [][]byte // every answer, searched for the secret at the end
	keep := func(r response) response { answers = append(answers, r.Body); return r }

	type hookCase struct {
		contentType, secret string
		rcv                 *whReceiver
		id                  int64
	}
	cases := []*hookCase{{contentType: "json"}, {contentType: "json", secret: secret}, {contentType: "form"},
		{contentType: "form", secret: secret}}
	for _, c := range cases {
		c.rcv = newWHReceiver(t, c.secret)
		// The events this test follows (with "*", the runs' workflow_run and
		// workflow_job deliveries would come too).
		h := whCreateHook(t, s, s.Token, "/repos/admin/hooked", c.rcv.url, c.contentType, c.secret,
			"repository_dispatch", "workflow_dispatch")
		answers = append(answers, []byte(fmt.Sprint(h)))
		whCheckHook(t, s, h, "Repository", "/repos/admin/hooked", c.rcv.url, c.contentType, c.secret != "")
		if last := h["last_response"].(map[string]any); last["code"] != nil || last["status"] != "unused" || last["message"] != nil {
			t.Fatalf("new hook last_response = %v", last)
		}
		c.id = whID(h["id"])
	}

	// Creating a hook pings it.
	for _, c := range cases {
		d := c.rcv.waitAccepted(t, 1)[0]
		ping, ok := d.parsed.(*github.PingEvent)
		if !ok || d.event != "ping" || ping.GetHookID() != c.id || ping.GetZen() == "" || ping.GetHook().GetID() != c.id ||
			ping.GetHook().GetConfig().GetURL() != c.rcv.url || ping.GetRepo().GetFullName() != "admin/hooked" ||
			ping.GetSender().GetLogin() != "admin" || ping.GetHook().GetType() != "Repository" {
			t.Fatalf("%s/secret=%v: first delivery %s = %s", c.contentType, c.secret != "", d.event, d.payload)
		}
		if (c.secret != "") != (ping.GetHook().GetConfig().GetSecret() == "********") {
			t.Fatalf("ping hook config secret = %q", ping.GetHook().GetConfig().GetSecret())
		}
	}

	// Both dispatch events reach every hook, in order, as go-github reads them.
	if r := keep(s.do("POST", "/api/v3/repos/admin/hooked/dispatches", s.Token, map[string]any{"event_type": "deploy",
		"client_payload": map[string]any{"image_tag": "sha-1234567", "note": "a & b <c>"}})); r.Status != 204 {
		t.Fatalf("repository_dispatch: %d %s", r.Status, r.Body)
	}
	if r := keep(s.do("POST", "/api/v3/repos/admin/hooked/actions/workflows/greet.yml/dispatches", s.Token,
		map[string]any{"ref": "main", "inputs": map[string]any{"source": "webhook"}})); r.Status != 204 {
		t.Fatalf("workflow_dispatch: %d %s", r.Status, r.Body)
	}
	for _, c := range cases {
		ds := c.rcv.waitAccepted(t, 3)
		rd, ok := ds[1].parsed.(*github.RepositoryDispatchEvent)
		var cp map[string]string
		if ok {
			json.Unmarshal(rd.ClientPayload, &cp)
		}
		if !ok || rd.GetAction() != "deploy" || rd.GetBranch() != "main" || rd.GetRepo().GetID() != repoID ||
			rd.GetSender().GetLogin() != "admin" || cp["note"] != "a & b <c>" || cp["image_tag"] != "sha-1234567" {
			t.Fatalf("second delivery %s = %s", ds[1].event, ds[1].payload)
		}
		wd, ok := ds[2].parsed.(*github.WorkflowDispatchEvent)
		if !ok || wd.GetRef() != "refs/heads/main" || wd.GetWorkflow() != ".github/workflows/greet.yml" ||
			string(wd.Inputs) != `{"source":"webhook","debug":"false"}` || wd.GetRepo().GetFullName() != "admin/hooked" {
			t.Fatalf("third delivery %s = %s", ds[2].event, ds[2].payload)
		}
		for i, d := range ds {
			h := d.header
			if h.Get("X-GitHub-Hook-ID") != strconv.FormatInt(c.id, 10) || h.Get("X-GitHub-Hook-Installation-Target-Type") != "repository" ||
				h.Get("X-GitHub-Hook-Installation-Target-ID") != strconv.FormatInt(repoID, 10) ||
				!strings.HasPrefix(h.Get("User-Agent"), "GitHub-Hookshot/") || d.guid == "" ||
				h.Get("Content-Type") != map[string]string{"json": "application/json", "form": "application/x-www-form-urlencoded"}[c.contentType] {
				t.Fatalf("delivery %d headers: %v", i, h)
			}
		}
	}

	// The deliveries through the API: newest first, with what was sent and answered.
	c := cases[1]
	hookPath := fmt.Sprintf("/api/v3/repos/admin/hooked/hooks/%d", c.id)
	list := whSettled(t, s, hookPath, 3)
	got := c.rcv.accepted()
	for i, want := range []struct{ event, action string }{{"workflow_dispatch", ""}, {"repository_dispatch", "deploy"}, {"ping", ""}} {
		d := list[i]
		var action any
		if want.action != "" {
			action = want.action
		}
		if d["event"] != want.event || d["action"] != action || d["guid"] != got[2-i].guid || d["status_code"] != float64(200) ||
			d["redelivery"] != false || whID(d["repository_id"]) != repoID || d["delivered_at"] == nil || d["duration"] == nil {
			t.Fatalf("delivery %d = %v", i, d)
		}
	}
	r := keep(s.do("GET", hookPath+"/deliveries?per_page=1", s.Token, nil))
	if link := r.Header.Get("Link"); r.Status != 200 || !strings.Contains(link, `rel="next"`) || !strings.Contains(link, "cursor=") ||
		!strings.HasPrefix(link, "<"+s.URL+hookPath+"/deliveries?") {
		t.Fatalf("first page: %d, Link %q", r.Status, link)
	}
	gh := goGitHub(t, s, s.Token)
	ctx := context.Background()
	var paged []int64
	opts := &github.ListCursorOptions{PerPage: 1}
	for {
		page, resp, err := gh.Repositories.ListHookDeliveries(ctx, "admin", "hooked", c.id, opts)
		if err != nil || len(paged) > 5 {
			t.Fatalf("ListHookDeliveries: %v (after %v)", err, paged)
		}
		for _, d := range page {
			paged = append(paged, d.GetID())
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	if fmt.Sprint(paged) != fmt.Sprint([]int64{whID(list[0]["id"]), whID(list[1]["id"]), whID(list[2]["id"])}) {
		t.Fatalf("paged through %v, listed %v", paged, list)
	}
	rdID := whID(list[1]["id"])
	r = keep(s.do("GET", fmt.Sprintf("%s/deliveries/%d", hookPath, rdID), s.Token, nil))
	full := r.JSON(t)
	req, _ := full["request"].(map[string]any)
	resp, _ := full["response"].(map[string]any)
	reqHeaders, _ := req["headers"].(map[string]any)
	payload, _ := req["payload"].(map[string]any)
	respHeaders, _ := resp["headers"].(map[string]any)
	if r.Status != 200 || full["url"] != c.rcv.url || full["event"] != "repository_dispatch" || reqHeaders["X-GitHub-Event"] != "repository_dispatch" ||
		reqHeaders["X-GitHub-Delivery"] != got[1].guid || !strings.HasPrefix(fmt.Sprint(reqHeaders["X-Hub-Signature-256"]), "sha256=") ||
		payload["action"] != "deploy" || payload["branch"] != "main" || respHeaders == nil || resp["payload"] != "answered 200" {
		t.Fatalf("GET delivery: %d %s", r.Status, r.Body)
	}
	hd, _, err := gh.Repositories.GetHookDelivery(ctx, "admin", "hooked", c.id, rdID)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := hd.ParseRequestPayload(); err != nil || ev.(*github.RepositoryDispatchEvent).GetAction() != "deploy" {
		t.Fatalf("go-github ParseRequestPayload = %+v, %v", ev, err)
	}

	// A redelivery: the same GUID and payload again, listed as a redelivery.
	if r := keep(s.do("POST", fmt.Sprintf("%s/deliveries/%d/attempts", hookPath, rdID), s.Token, nil)); r.Status != 202 {
		t.Fatalf("redeliver: %d %s", r.Status, r.Body)
	}
	again := c.rcv.waitAccepted(t, 4)[3]
	if again.guid != got[1].guid || again.event != "repository_dispatch" || !bytes.Equal(again.payload, got[1].payload) {
		t.Fatalf("redelivery %s %s, want %s", again.event, again.guid, got[1].guid)
	}
	if list := whSettled(t, s, hookPath, 4); list[0]["redelivery"] != true || list[0]["guid"] != got[1].guid {
		t.Fatalf("after redelivery: %v", list[0])
	}
	if r := s.do("POST", fmt.Sprintf("%s/deliveries/%d/attempts", hookPath, 1<<40), s.Token, nil); r.Status != 404 {
		t.Fatalf("redeliver a missing delivery: %d %s", r.Status, r.Body)
	}
	// GitHub's filters of the list: redelivery and status.
	for q, want := range map[string]int{"redelivery=true": 1, "redelivery=false": 3, "status=success": 4, "status=failure": 0} {
		r := s.do("GET", hookPath+"/deliveries?"+q, s.Token, nil)
		var list []map[string]any
		json.Unmarshal(r.Body, &list)
		if r.Status != 200 || len(list) != want || q == "redelivery=true" && list[0]["redelivery"] != true {
			t.Fatalf("deliveries?%s: %d, %d deliveries, want %d: %s", q, r.Status, len(list), want, r.Body)
		}
	}
	for _, q := range []string{"redelivery=maybe", "status=pending"} {
		if r := s.do("GET", hookPath+"/deliveries?"+q, s.Token, nil); r.Status != 422 {
			t.Fatalf("deliveries?%s: %d %s, want 422", q, r.Status, r.Body)
		}
	}

	// An inactive hook gets nothing: the deliveries of a dispatch are
	// written with it, so the list is final once the dispatch answered.
	off := fmt.Sprintf("/api/v3/repos/admin/hooked/hooks/%d", cases[0].id)
	if r := keep(s.do("PATCH", off, s.Token, map[string]any{"active": false, "add_events": []string{"push"}})); r.Status != 200 ||
		r.JSON(t)["active"] != false || fmt.Sprint(r.JSON(t)["events"]) != "[repository_dispatch workflow_dispatch push]" {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	before := len(whSettled(t, s, off, 3))
	if r := s.do("POST", "/api/v3/repos/admin/hooked/dispatches", s.Token, map[string]any{"event_type": "quiet"}); r.Status != 204 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	if n := len(whDeliveries(t, s, off)); n != before {
		t.Fatalf("an inactive hook got a delivery: %d, was %d", n, before)
	}
	cases[1].rcv.waitAccepted(t, 5) // the active ones did

	// The configuration alone, and a new secret that deliveries are signed with.
	cfgPath := fmt.Sprintf("/api/v3/repos/admin/hooked/hooks/%d/config", cases[3].id)
	if r := keep(s.do("GET", cfgPath, s.Token, nil)); r.Status != 200 || r.JSON(t)["secret"] != "********" || r.JSON(t)["content_type"] != "form" {
		t.Fatalf("GET config: %d %s", r.Status, r.Body)
	}
	if r := keep(s.do("PATCH", cfgPath, s.Token, map[string]any{"secret": "rotated secret", "content_type": "json"})); r.Status != 200 ||
		r.JSON(t)["secret"] != "********" || r.JSON(t)["content_type"] != "json" {
		t.Fatalf("PATCH config: %d %s", r.Status, r.Body)
	}
	rotated := newWHReceiver(t, "rotated secret")
	if r := s.do("PATCH", cfgPath, s.Token, map[string]any{"url": rotated.url}); r.Status != 200 {
		t.Fatalf("PATCH config url: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", fmt.Sprintf("/api/v3/repos/admin/hooked/hooks/%d/pings", cases[3].id), s.Token, nil); r.Status != 204 {
		t.Fatalf("ping: %d %s", r.Status, r.Body)
	}
	if d := rotated.waitAccepted(t, 1)[0]; d.event != "ping" || d.header.Get("Content-Type") != "application/json" {
		t.Fatalf("ping after rotation: %s %v", d.event, d.header)
	}

	// The CLI.
	cli := newWHReceiver(t, "cli secret")
	out, err := s.run("hook", "create", "admin/hooked", "--url", cli.url, "--events", "repository_dispatch", "--secret", "cli secret", "--json")
	var created github.Hook
	if err != nil || json.Unmarshal([]byte(out), &created) != nil || created.GetConfig().GetSecret() != "********" ||
		created.GetConfig().GetContentType() != "json" || fmt.Sprint(created.Events) != "[repository_dispatch]" {
		t.Fatalf("hook create: %v\n%s", err, out)
	}
	if d := cli.waitAccepted(t, 1)[0]; d.event != "ping" {
		t.Fatalf("CLI hook got %s first", d.event)
	}
	out, err = s.run("hook", "list", "admin/hooked", "--json")
	var hooks []*github.Hook
	if err != nil || json.Unmarshal([]byte(out), &hooks) != nil || len(hooks) != 5 || hooks[4].GetID() != created.GetID() {
		t.Fatalf("hook list --json: %v\n%s", err, out)
	}
	answers = append(answers, []byte(out))
	out, err = s.run("hook", "list", "admin/hooked")
	if err != nil || !strings.Contains(out, cli.url) || !strings.Contains(out, "200 active") {
		t.Fatalf("hook list: %v\n%s", err, out)
	}
	out, err = s.run("hook", "deliveries", "admin/hooked", strconv.FormatInt(c.id, 10))
	if err != nil || !strings.Contains(out, "repository_dispatch.deploy") || !strings.Contains(out, "OK") || strings.Count(out, "\n") != 1+5 {
		t.Fatalf("hook deliveries: %v\n%s", err, out)
	}
	out, err = s.run("hook", "deliveries", "admin/hooked", strconv.FormatInt(c.id, 10), "--json", "--limit", "2")
	var listed []*github.HookDelivery
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 2 {
		t.Fatalf("hook deliveries --json --limit 2: %v\n%s", err, out)
	}
	out, err = s.run("hook", "redeliver", "admin/hooked", strconv.FormatInt(c.id, 10), strconv.FormatInt(rdID, 10))
	if err != nil || !strings.Contains(out, "queued") {
		t.Fatalf("hook redeliver: %v\n%s", err, out)
	}
	if d := c.rcv.waitAccepted(t, 6)[5]; d.guid != got[1].guid {
		t.Fatalf("CLI redelivery GUID %s, want %s", d.guid, got[1].guid)
	}

	// Delete: the hook and its deliveries are gone.
	if r := s.do("DELETE", off, s.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := s.do("GET", off, s.Token, nil); r.Status != 404 {
		t.Fatalf("deleted hook: %d", r.Status)
	}
	if r := s.do("GET", off+"/deliveries", s.Token, nil); r.Status != 404 {
		t.Fatalf("deleted hook's deliveries: %d", r.Status)
	}

	// The secret is in no answer, no listing, no log line.
	for _, p := range []string{"/api/v3/repos/admin/hooked/hooks", hookPath, hookPath + "/config", hookPath + "/deliveries"} {
		answers = append(answers, keep(s.do("GET", p, s.Token, nil)).Body)
	}
	for _, d := range whDeliveries(t, s, hookPath) {
		answers = append(answers, s.do("GET", fmt.Sprintf("%s/deliveries/%d", hookPath, whID(d["id"])), s.Token, nil).Body)
	}
	for _, d := range cases[3].rcv.all() {
		answers = append(answers, d.payload)
	}
	for _, a := range append(answers, []byte(s.log.String())) {
		for _, sec := range []string{secret, "rotated secret", "cli secret", url.QueryEscape(secret)} {
			if bytes.Contains(a, []byte(sec)) {
				t.Fatalf("the secret %q appears in %s", sec, a)
			}
		}
	}
}

func TestWebhookOrganizationHooks(t *testing.T) {
	s := startServer(t, withPrivateHooks...)
	s.admin("user", "create", "mia")
	s.admin("org", "create", "acme", "--owner", "admin")
	s.admin("org", "add-member", "acme", "mia")
	if r := s.do("POST", "/api/v3/orgs/acme/repos", s.Token, map[string]any{"name": "app", "auto_init": true}); r.Status != 201 {
		t.Fatalf("create acme/app: %d %s", r.Status, r.Body)
	}
	rcv := newWHReceiver(t, "org secret")
	h := whCreateHook(t, s, s.Token, "/orgs/acme", rcv.url, "json", "org secret", "repository_dispatch")
	whCheckHook(t, s, h, "Organization", "/orgs/acme", rcv.url, "json", true)
	id := whID(h["id"])

	// A repository hook of the same repository receives alongside.
	repoRcv := newWHReceiver(t, "")
	whCreateHook(t, s, s.Token, "/repos/acme/app", repoRcv.url, "form", "", "repository_dispatch")
	if r := s.do("POST", "/api/v3/repos/acme/app/dispatches", s.Token, map[string]any{"event_type": "org-deploy"}); r.Status != 204 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	ds := rcv.waitAccepted(t, 2)
	ping, _ := ds[0].parsed.(*github.PingEvent)
	rd, _ := ds[1].parsed.(*github.RepositoryDispatchEvent)
	if ping == nil || ping.GetHookID() != id || ping.GetOrg().GetLogin() != "acme" || ping.GetHook().GetType() != "Organization" ||
		ds[0].header.Get("X-GitHub-Hook-Installation-Target-Type") != "organization" {
		t.Fatalf("org ping = %s %v", ds[0].payload, ds[0].header)
	}
	if rd == nil || rd.GetAction() != "org-deploy" || rd.GetOrg().GetLogin() != "acme" || rd.GetRepo().GetFullName() != "acme/app" {
		t.Fatalf("org delivery = %s", ds[1].payload)
	}
	if d := repoRcv.waitAccepted(t, 2)[1]; d.event != "repository_dispatch" || d.parsed.(*github.RepositoryDispatchEvent).GetOrg().GetLogin() != "acme" {
		t.Fatalf("repository hook of an organization's repository: %s %s", d.event, d.payload)
	}
	hookPath := fmt.Sprintf("/api/v3/orgs/acme/hooks/%d", id)
	if list := whSettled(t, s, hookPath, 2); list[0]["event"] != "repository_dispatch" || list[1]["event"] != "ping" {
		t.Fatalf("org deliveries = %v", list)
	}
	gh := goGitHub(t, s, s.Token)
	hooks, _, err := gh.Organizations.ListHooks(context.Background(), "acme", nil)
	if err != nil || len(hooks) != 1 || hooks[0].GetID() != id || hooks[0].GetConfig().GetSecret() != "********" {
		t.Fatalf("go-github Organizations.ListHooks = %v, %v", hooks, err)
	}

	// A member who does not own the organization sees no hooks at all.
	mia := strings.TrimSpace(s.admin("token", "create", "--user", "mia", "--scopes", "repo,admin:org_hook"))
	for _, req := range []struct{ method, path string }{{"GET", "/api/v3/orgs/acme/hooks"}, {"GET", hookPath},
		{"POST", "/api/v3/orgs/acme/hooks"}, {"DELETE", hookPath}, {"GET", hookPath + "/deliveries"}, {"POST", hookPath + "/pings"}} {
		if r := s.do(req.method, req.path, mia, map[string]any{"config": map[string]any{"url": "http://127.0.0.1:9/"}}); r.Status != 404 {
			t.Fatalf("member %s %s: %d %s", req.method, req.path, r.Status, r.Body)
		}
	}
	// An owner's token without a hook scope may not.
	narrow := strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--scopes", "read:org"))
	if r := s.do("GET", "/api/v3/orgs/acme/hooks", narrow, nil); r.Status != 403 {
		t.Fatalf("owner without scope: %d %s", r.Status, r.Body)
	}
	if r := s.do("DELETE", hookPath, s.Token, nil); r.Status != 204 {
		t.Fatalf("delete org hook: %d %s", r.Status, r.Body)
	}
}

func TestWebhookPermissions(t *testing.T) {
	s := startServer(t, noRunners...) // nothing is delivered: the hooks point at a refused loopback port
	for _, u := range []string{"rita", "will", "adam", "olga"} {
		s.admin("user", "create", u)
	}
	tok := func(user string, args ...string) string {
		return strings.TrimSpace(s.admin(append([]string{"token", "create", "--user", user}, args...)...))
	}
	const target = "http://127.0.0.1:9/hook"
	for _, repo := range []map[string]any{{"name": "closed", "private": true}, {"name": "open"}} {
		s.createRepo(s.Token, repo)
		full := "admin/" + repo["name"].(string)
		for user, perm := range map[string]string{"rita": "pull", "will": "push", "adam": "admin"} {
			if r := s.do("PUT", "/api/v3/repos/"+full+"/collaborators/"+user, s.Token, map[string]any{"permission": perm}); r.Status != 204 {
				t.Fatalf("collaborator %s: %d %s", user, r.Status, r.Body)
			}
		}
	}
	hooks := map[string]int64{}
	for _, full := range []string{"admin/closed", "admin/open"} {
		hooks[full] = whID(whCreateHook(t, s, s.Token, "/repos/"+full, target, "json", "sekrit", "*")["id"])
	}
	requests := func(full string) []struct{ method, path string } {
		base := "/api/v3/repos/" + full + "/hooks"
		one := fmt.Sprintf("%s/%d", base, hooks[full])
		return []struct{ method, path string }{{"GET", base}, {"POST", base}, {"GET", one}, {"PATCH", one}, {"GET", one + "/config"},
			{"PATCH", one + "/config"}, {"POST", one + "/pings"}, {"GET", one + "/deliveries"},
			{"POST", one + "/deliveries/1/attempts"}, {"DELETE", one}}
	}
	body := map[string]any{"config": map[string]any{"url": "http://127.0.0.1:9/other"}}
	// Who may not manage a repository's hooks does not learn they exist.
	for _, who := range []string{"rita", "will", "olga"} {
		token := tok(who, "--scopes", "repo,admin:repo_hook")
		for _, full := range []string{"admin/closed", "admin/open"} {
			for _, req := range requests(full) {
				if r := s.do(req.method, req.path, token, body); r.Status != 404 {
					t.Errorf("%s: %s %s = %d %s, want 404", who, req.method, req.path, r.Status, r.Body)
				}
			}
		}
	}
	// A repository admin may; so may a classic token with admin:repo_hook alone.
	for _, token := range []string{tok("adam", "--scopes", "repo"), tok("admin", "--scopes", "admin:repo_hook")} {
		for _, full := range []string{"admin/closed", "admin/open"} {
			r := s.do("GET", "/api/v3/repos/"+full+"/hooks", token, nil)
			if r.Status != 200 || !strings.Contains(string(r.Body), `"secret":"********"`) || strings.Contains(string(r.Body), "sekrit") {
				t.Fatalf("admin: GET hooks of %s = %d %s", full, r.Status, r.Body)
			}
		}
		if r := s.do("POST", "/api/v3/repos/admin/closed/hooks", token, map[string]any{"config": map[string]any{"url": "http://127.0.0.1:9/" + token[len(token)-6:]}}); r.Status != 201 {
			t.Fatalf("admin: create hook = %d %s", r.Status, r.Body)
		}
	}
	// A token narrower than the role: 404 when it cannot even see the
	// repository, 403 when it can but lacks the webhooks permission.
	if r := s.do("GET", "/api/v3/repos/admin/closed/hooks", tok("admin", "--scopes", "read:org"), nil); r.Status != 404 {
		t.Fatalf("token without repo scope: %d %s", r.Status, r.Body)
	}
	fg := tok("admin", "--repo", "admin/closed", "--permission", "contents:write")
	if r := s.do("GET", "/api/v3/repos/admin/closed/hooks", fg, nil); r.Status != 403 {
		t.Fatalf("fine-grained token without webhooks: %d %s", r.Status, r.Body)
	}
	fgRead := tok("admin", "--repo", "admin/closed", "--permission", "webhooks:read")
	if r := s.do("GET", "/api/v3/repos/admin/closed/hooks", fgRead, nil); r.Status != 200 {
		t.Fatalf("fine-grained webhooks:read, GET: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v3/repos/admin/closed/hooks", fgRead, body); r.Status != 403 {
		t.Fatalf("fine-grained webhooks:read, POST: %d %s", r.Status, r.Body)
	}
	if r := s.do("GET", "/api/v3/repos/admin/closed/hooks", "", nil); r.Status != 404 {
		t.Fatalf("anonymous on a private repository: %d %s", r.Status, r.Body)
	}
	// Validation: GitHub's 422s.
	for _, bad := range []any{map[string]any{}, map[string]any{"config": "x"}, map[string]any{"config": map[string]any{"url": "ftp://x"}},
		map[string]any{"config": map[string]any{"url": target, "content_type": "xml"}}, map[string]any{"config": map[string]any{"url": target}, "events": "push"},
		map[string]any{"config": map[string]any{"url": target}}} { // the last: this URL has a hook already
		if r := s.do("POST", "/api/v3/repos/admin/closed/hooks", s.Token, bad); r.Status != 422 {
			t.Errorf("create %v: %d %s", bad, r.Status, r.Body)
		}
	}
}

// A receiver down, then failing, then answering: every delivery arrives,
// once accepted, in the order of the events.
func TestWebhookRetriesUntilDeliveredInOrder(t *testing.T) {
	s := startServer(t, withPrivateHooks...)
	s.createRepo(s.Token, map[string]any{"name": "flaky", "auto_init": true})
	addr := whReserve(t)
	rcv := whReceiverAt(addr, "flaky secret")
	h := whCreateHook(t, s, s.Token, "/repos/admin/flaky", rcv.url, "json", "flaky secret", "repository_dispatch")
	hookPath := fmt.Sprintf("/api/v3/repos/admin/flaky/hooks/%d", whID(h["id"]))
	const n = 8
	for i := range n {
		if r := s.do("POST", "/api/v3/repos/admin/flaky/dispatches", s.Token,
			map[string]any{"event_type": "seq", "client_payload": map[string]any{"seq": i}}); r.Status != 204 {
			t.Fatalf("dispatch %d: %d %s", i, r.Status, r.Body)
		}
	}
	// Down: the ping, head of the queue, fails with the connection refused.
	lastStatus := func() string {
		list := whDeliveries(t, s, hookPath)
		if len(list) != n+1 {
			t.Fatalf("%d deliveries listed, want %d", len(list), n+1)
		}
		return fmt.Sprint(list[n]["status"])
	}
	whEventually(t, "a refused attempt", func() bool { return lastStatus() == "connection refused" })
	if r := s.do("GET", hookPath, s.Token, nil); r.JSON(t)["last_response"].(map[string]any)["status"] != "failed" {
		t.Fatalf("hook after a refused attempt: %s", r.Body)
	}
	// Up, answering 500.
	rcv.status.Store(500)
	rcv.start(t, addr)
	whEventually(t, "an attempt answered 500", func() bool { return lastStatus() == "Invalid HTTP Response: 500" })
	// Answering 200: everything arrives, in order.
	rcv.status.Store(200)
	ok := rcv.waitAccepted(t, n+1)
	whSettled(t, s, hookPath, n+1)
	if ok[0].event != "ping" {
		t.Fatalf("first accepted: %s", ok[0].event)
	}
	for i, d := range ok[1:] {
		rd, _ := d.parsed.(*github.RepositoryDispatchEvent)
		if rd == nil || string(rd.ClientPayload) != fmt.Sprintf(`{"seq":%d}`, i) {
			t.Fatalf("accepted delivery %d: %s %s", i+1, d.event, d.payload)
		}
	}
	if len(rcv.accepted()) != n+1 {
		t.Fatalf("%d deliveries accepted, want %d: one each", len(rcv.accepted()), n+1)
	}
	// Every attempt of the ping is the same delivery: the same GUID.
	for _, d := range rcv.all() {
		if d.event == "ping" && d.guid != ok[0].guid {
			t.Fatalf("a retry changed the GUID: %s, %s", d.guid, ok[0].guid)
		}
	}
}

// SIGKILL with deliveries pending: after a restart every one arrives.
func TestWebhookDeliveriesSurviveSIGKILL(t *testing.T) {
	data := t.TempDir()
	s := startServerIn(t, data, withPrivateHooks...)
	s.createRepo(s.Token, map[string]any{"name": "durable", "auto_init": true})
	addr := whReserve(t)
	rcv := whReceiverAt(addr, "")
	h := whCreateHook(t, s, s.Token, "/repos/admin/durable", rcv.url, "form", "", "*")
	hookPath := fmt.Sprintf("/api/v3/repos/admin/durable/hooks/%d", whID(h["id"]))
	const n = 20
	for i := range n {
		if r := s.do("POST", "/api/v3/repos/admin/durable/dispatches", s.Token,
			map[string]any{"event_type": "durable", "client_payload": map[string]any{"seq": i}}); r.Status != 204 {
			t.Fatalf("dispatch %d: %d %s", i, r.Status, r.Body)
		}
	}
	whEventually(t, "a refused attempt", func() bool {
		list := whDeliveries(t, s, hookPath)
		return len(list) == n+1 && list[n]["status"] == "connection refused"
	})
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		t.Fatal("the SIGKILLed server did not exit")
	}

	s = startServerIn(t, data, withPrivateHooks...)
	rcv.start(t, addr)
	ok := rcv.waitAccepted(t, n+1)
	if ok[0].event != "ping" {
		t.Fatalf("first accepted: %s", ok[0].event)
	}
	for i, d := range ok[1:] {
		rd, _ := d.parsed.(*github.RepositoryDispatchEvent)
		if rd == nil || string(rd.ClientPayload) != fmt.Sprintf(`{"seq":%d}`, i) {
			t.Fatalf("accepted delivery %d: %s %s", i+1, d.event, d.payload)
		}
	}
	whSettled(t, s, hookPath, n+1)
}

// Without --allow-private-webhooks a delivery to loopback is refused
// before any connection, and the delivery says why.
func TestWebhookPrivateAddressRefused(t *testing.T) {
	s := startServer(t, noRunners...)
	s.createRepo(s.Token, map[string]any{"name": "guarded", "auto_init": true})
	rcv := newWHReceiver(t, "")
	h := whCreateHook(t, s, s.Token, "/repos/admin/guarded", rcv.url, "json", "", "*")
	hookPath := fmt.Sprintf("/api/v3/repos/admin/guarded/hooks/%d", whID(h["id"]))
	refused := regexp.MustCompile(`^webhook address 127\.0\.0\.1 is private; start the server with --allow-private-webhooks to allow it$`)
	var list []map[string]any
	whEventually(t, "the refusal recorded", func() bool {
		list = whDeliveries(t, s, hookPath)
		return len(list) == 1 && list[0]["status"] != "pending"
	})
	if !refused.MatchString(fmt.Sprint(list[0]["status"])) || list[0]["status_code"] != float64(0) {
		t.Fatalf("refused delivery = %v", list[0])
	}
	d := s.do("GET", fmt.Sprintf("%s/deliveries/%d", hookPath, whID(list[0]["id"])), s.Token, nil).JSON(t)
	if d["response"].(map[string]any)["payload"] != nil || d["request"].(map[string]any)["payload"] == nil {
		t.Fatalf("refused delivery in full = %v", d)
	}
	last := s.do("GET", hookPath, s.Token, nil).JSON(t)["last_response"].(map[string]any)
	if last["status"] != "failed" || !refused.MatchString(fmt.Sprint(last["message"])) || last["code"] != nil {
		t.Fatalf("hook last_response = %v", last)
	}
	// A refusal is final: no retry will come. A redelivery is refused the same way.
	if r := s.do("POST", fmt.Sprintf("%s/deliveries/%d/attempts", hookPath, whID(list[0]["id"])), s.Token, nil); r.Status != 202 {
		t.Fatalf("redeliver: %d %s", r.Status, r.Body)
	}
	whEventually(t, "the redelivery refused", func() bool {
		list = whDeliveries(t, s, hookPath)
		return len(list) == 2 && refused.MatchString(fmt.Sprint(list[0]["status"]))
	})
	if got := rcv.all(); len(got) != 0 {
		t.Fatalf("the receiver on loopback was reached %d times", len(got))
	}
}

// A git push reaches a hook subscribed to push as GitHub's push event.
func TestWebhookPush(t *testing.T) {
	t.Parallel()
	s := startServer(t, withPrivateHooks...)
	s.createRepo(s.Token, map[string]any{"name": "pushed", "auto_init": true})
	rcv := newWHReceiver(t, "push secret")
	whCreateHook(t, s, s.Token, "/repos/admin/pushed", rcv.url, "json", "push secret", "push")
	sha := s.pushFiles("admin/pushed", s.Token, "main", map[string]string{"hello.txt": "hi\n"})
	ds := rcv.waitAccepted(t, 2) // the ping, then the push
	push, _ := ds[1].parsed.(*github.PushEvent)
	if push == nil || push.GetRef() != "refs/heads/main" || push.GetAfter() != sha || len(push.Commits) != 1 ||
		fmt.Sprint(push.Commits[0].Added) != "[hello.txt]" || push.GetRepo().GetFullName() != "admin/pushed" {
		t.Fatalf("push delivery: %s %s", ds[1].event, ds[1].payload)
	}
}

// POST …/hooks/{id}/tests (the hook's test_url) delivers the latest push
// to the default branch again, to that hook only; a hook that does not
// subscribe to push gets nothing, and the answer is 204 either way.
func TestWebhookTestDelivery(t *testing.T) {
	t.Parallel()
	s := startServer(t, withPrivateHooks...)
	s.createRepo(s.Token, map[string]any{"name": "tested", "auto_init": true})
	sha := s.pushFiles("admin/tested", s.Token, "main", map[string]string{"hello.txt": "hi\n"})
	s.pushFiles("admin/tested", s.Token, "other", map[string]string{"other.txt": "x\n"}) // the latest push, not on main
	rcv := newWHReceiver(t, "")
	h := whCreateHook(t, s, s.Token, "/repos/admin/tested", rcv.url, "json", "", "push")
	other := newWHReceiver(t, "")
	h2 := whCreateHook(t, s, s.Token, "/repos/admin/tested", other.url, "json", "", "workflow_run")
	rcv.waitAccepted(t, 1) // the ping
	if r := s.do("POST", h["test_url"].(string)[len(s.URL):], s.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("POST test_url: %d %s", r.Status, r.Body)
	}
	ds := rcv.waitAccepted(t, 2)
	push, _ := ds[1].parsed.(*github.PushEvent)
	if ds[1].event != "push" || push == nil || push.GetRef() != "refs/heads/main" || push.GetAfter() != sha {
		t.Fatalf("test delivery: %s %s", ds[1].event, ds[1].payload)
	}
	hookPath2 := fmt.Sprintf("/api/v3/repos/admin/tested/hooks/%d", whID(h2["id"]))
	if r := s.do("POST", hookPath2+"/tests", s.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("POST tests of a hook without push: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v3/repos/admin/tested/hooks/999999/tests", s.Token, nil); r.Status != http.StatusNotFound {
		t.Fatalf("POST tests of no hook: %d %s", r.Status, r.Body)
	}
	// Only the ping ever reached the second hook, once the first hook's
	// test arrived (both were queued before it).
	other.waitAccepted(t, 1)
	if list := whSettled(t, s, hookPath2, 1); len(list) != 1 || list[0]["event"] != "ping" {
		t.Fatalf("deliveries of the hook without push: %v", list)
	}
}

// A run reaches a hook subscribed to workflow_run and workflow_job as
// GitHub's events: requested, in_progress, completed for the run; queued,
// in_progress, completed for its job, each with the state it announces.
func TestWebhookWorkflowRunAndJob(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--allow-private-webhooks", "--embedded-runners", "1")
	s.createRepo(s.Token, map[string]any{"name": "runs", "auto_init": true})
	s.pushFiles("admin/runs", s.Token, "main", map[string]string{".github/workflows/w.yml": "name: W\non: repository_dispatch\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n"})
	rcv := newWHReceiver(t, "runs secret")
	whCreateHook(t, s, s.Token, "/repos/admin/runs", rcv.url, "json", "runs secret", "workflow_run", "workflow_job")
	runID := s.dispatchRun("admin/runs", "go")
	s.waitRun("admin/runs", runID, 60*time.Second)
	ds := rcv.waitAccepted(t, 7) // the ping, 3 run events, 3 job events
	var runs, jobs []string
	for _, d := range ds[1:] {
		switch e := d.parsed.(type) {
		case *github.WorkflowRunEvent:
			r := e.GetWorkflowRun()
			if float64(r.GetID()) != runID || r.GetName() != "W" || e.GetWorkflow().GetName() != "W" || e.GetRepo().GetFullName() != "admin/runs" ||
				r.GetRepository().GetFullName() != "admin/runs" || r.GetHeadRepository().GetHooksURL() != e.GetRepo().GetHooksURL() {
				t.Fatalf("workflow_run payload: %s", d.payload)
			}
			runs = append(runs, e.GetAction()+":"+r.GetStatus()+":"+r.GetConclusion())
		case *github.WorkflowJobEvent:
			j := e.GetWorkflowJob()
			if float64(j.GetRunID()) != runID || j.GetName() != "one" || e.GetSender().GetLogin() != "admin" {
				t.Fatalf("workflow_job payload: %s", d.payload)
			}
			jobs = append(jobs, e.GetAction()+":"+j.GetStatus()+":"+j.GetConclusion())
		default:
			t.Fatalf("unexpected delivery %s: %s", d.event, d.payload)
		}
	}
	if fmt.Sprint(runs) != "[requested:queued: in_progress:in_progress: completed:completed:success]" ||
		fmt.Sprint(jobs) != "[queued:queued: in_progress:in_progress: completed:completed:success]" {
		t.Fatalf("run events %v, job events %v", runs, jobs)
	}
}
