package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/internal/fixture"
	"github.com/dispatchd/dispatchd/workflow"
)

// The repository and run every fixture assumes (testdata/workflows/README.md).
const (
	fixtureDir = "../testdata/workflows"
	fxRepo     = "octo-org/octo-repo"
	mainSHA    = "ffac537e6cbbf934b08745a378932722df287a53"
)

var fxRefs = map[string]struct{ full, sha string }{
	"main":       {"refs/heads/main", mainSHA},
	"release/v1": {"refs/heads/release/v1", "6dcb09b5b57875f334f61aebed695e2e4193db5e"},
	"v1.2.0":     {"refs/tags/v1.2.0", "c27d339ee6075c1f744c5d4b200f7901aad2c369"},
}

// The expectation files' format (README.md), shared with the engine's tests.
type (
	fxFile       = fixture.File
	fxCase       = fixture.Case
	fxTrigger    = fixture.Trigger
	fxAnnotation = fixture.Annotation
	fxJob        = fixture.Job
	fxLeg        = fixture.Leg
	fxStep       = fixture.Step
)

// fxRun is one case of a fixture being run job by job.
type fxRun struct {
	t        *testing.T
	w        *workflow.Workflow
	file     string
	c        fxCase
	github   *expr.Object
	inputs   any
	event    []byte
	checkout *fakeCheckout
}

// newFxRun builds the run's contexts from the trigger, as the server would
// for the assumed repository.
func newFxRun(t *testing.T, file string, c fxCase) *fxRun {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := workflow.Parse(".github/workflows/"+file, src)
	if w == nil {
		t.Fatalf("%s does not parse", file)
	}
	r := &fxRun{t: t, w: w, file: file, c: c, checkout: &fakeCheckout{}}
	r.buildContexts()
	return r
}

func (r *fxRun) buildContexts() {
	tr := r.c.Trigger
	ref := fxRefs["main"]
	repository := map[string]any{"full_name": fxRepo, "name": "octo-repo", "owner": map[string]any{"login": "octo-org"}, "default_branch": "main"}
	sender := map[string]any{"login": "octocat"}
	var event map[string]any
	var inputs any = map[string]any{}
	switch tr.Event {
	case "repository_dispatch":
		// Raw, so that the payload keeps its key order (toJSON shows it).
		payload := json.RawMessage("{}")
		if len(tr.ClientPayload) > 0 {
			payload = tr.ClientPayload
		}
		event = map[string]any{"action": tr.EventType, "branch": "main", "client_payload": payload, "repository": repository, "sender": sender}
	case "workflow_dispatch":
		var ok bool
		if ref, ok = fxRefs[tr.Ref]; !ok {
			r.t.Fatalf("unknown ref %q", tr.Ref)
		}
		typed, strs, err := workflow.ValidateInputs(r.w.Triggers.WorkflowDispatch, tr.Inputs)
		if err != nil {
			r.t.Fatalf("inputs: %v", err)
		}
		inputs = typed
		event = map[string]any{"inputs": strs, "ref": ref.full, "repository": repository, "sender": sender, "workflow": ".github/workflows/" + r.file}
	default:
		r.t.Fatalf("unsupported trigger %+v", tr)
	}
	r.event, _ = json.Marshal(event)
	ev, err := expr.FromJSON(r.event)
	if err != nil {
		r.t.Fatal(err)
	}
	name := r.w.Name
	if name == "" {
		name = ".github/workflows/" + r.file
	}
	refName, refType := strings.TrimPrefix(ref.full, "refs/heads/"), "branch"
	if after, ok := strings.CutPrefix(ref.full, "refs/tags/"); ok {
		refName, refType = after, "tag"
	}
	g := expr.NewObject()
	for _, kv := range [][2]any{
		{"event", ev}, {"event_name", tr.Event}, {"ref", ref.full}, {"ref_name", refName}, {"ref_type", refType},
		{"ref_protected", false}, {"sha", ref.sha}, {"head_ref", ""}, {"base_ref", ""},
		{"repository", fxRepo}, {"repository_id", "101"}, {"repository_owner", "octo-org"}, {"repository_owner_id", "102"},
		{"actor", "octocat"}, {"actor_id", "103"}, {"triggering_actor", "octocat"},
		{"workflow", name}, {"workflow_ref", fxRepo + "/.github/workflows/" + r.file + "@" + ref.full}, {"workflow_sha", ref.sha},
		{"server_url", "https://github.com"}, {"api_url", "https://api.github.com"}, {"graphql_url", "https://api.github.com/graphql"},
		{"retention_days", "90"}, {"run_id", "4242"}, {"run_number", "7"}, {"run_attempt", "1"},
	} {
		g.Set(kv[0].(string), kv[1])
	}
	r.github, r.inputs = g, inputs
}

// job is the runner.Job of one job (or matrix leg) of the case.
func (r *fxRun) job(spec *workflow.Job, needs *expr.Object, matrix map[string]any, strategy *expr.Object) *Job {
	ctxs := map[string]any{"github": r.github, "inputs": r.inputs, "vars": expr.NewObject(), "needs": needs}
	if matrix != nil {
		ctxs["matrix"] = matrix
		ctxs["strategy"] = strategy
	}
	return &Job{
		Workflow: r.w, Spec: spec, Name: spec.ID, Contexts: ctxs, Secrets: r.c.Secrets, Event: r.event,
		WorkDir: r.t.TempDir(), Checkout: r.checkout,
		Environment: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=C.UTF-8"},
	}
}

// fakeCheckout stands for the repository: it writes a marker file.
type fakeCheckout struct {
	mu    sync.Mutex
	calls []CheckoutOptions
	dirs  []string
}

func (f *fakeCheckout) Checkout(_ context.Context, dir string, opts CheckoutOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, opts)
	f.dirs = append(f.dirs, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte("# octo-repo\n"), 0o644)
}

// jobRecord is a job (or leg) that ran.
type jobRecord struct {
	res Result
	rec *recorder
}

// TestFixtures runs, at job level, every job of every fixture case that
// creates a run: jobs in file order, each given the needs context the
// earlier jobs produced; jobs the expectation says are skipped by their
// job-level if: are not run (that decision is the engine's); matrix legs
// run side by side, with fail-fast cancelling the others when one fails.
func TestFixtures(t *testing.T) {
	files, err := fixture.Load(fixtureDir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, fx := range files {
		for _, c := range fx.Cases {
			if c.Expect.RunCreated == nil || !*c.Expect.RunCreated || c.Trigger.Sequence != nil {
				continue // no run, or the multi-run concurrency case: the server's and the engine's
			}
			t.Run(strings.TrimSuffix(fx.Workflow, ".yml")+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				newFxRun(t, fx.Workflow, c).runAll()
			})
		}
	}
}

// runAll runs the case's jobs and checks them.
func (r *fxRun) runAll() {
	t := r.t
	needsOf := map[string]*expr.Object{}
	var annotations []Annotation
	var summary strings.Builder
	conclusion := "success"
	for _, spec := range r.w.Jobs {
		exp := r.c.Expect.Jobs[spec.ID]
		if exp == nil || exp.Result == resultSkipped {
			needsOf[strings.ToLower(spec.ID)] = needsEntry(resultSkipped, nil)
			continue
		}
		needs := expr.NewObject()
		for _, n := range spec.Needs {
			if e, ok := needsOf[strings.ToLower(n)]; ok {
				needs.Set(n, e)
			}
		}
		var records []jobRecord
		if len(exp.MatrixJobs) > 0 {
			records = r.runLegs(spec, exp, needs)
		} else {
			res, rec := runJob(t, context.Background(), r.job(spec, needs, nil, nil))
			r.checkJob(spec.ID, exp, res, rec)
			records = []jobRecord{{res, rec}}
		}
		result, outputs := aggregate(records)
		coe := spec.ContinueOnError.Set && spec.ContinueOnError.Value
		if result == resultFailure && !coe {
			conclusion = "failure"
		}
		if exp.ResultInNeeds != "" {
			if want := needsResult(result, coe); want != exp.ResultInNeeds {
				t.Errorf("job %s: needs.%s.result would be %s, want %s", spec.ID, spec.ID, want, exp.ResultInNeeds)
			}
		}
		needsOf[strings.ToLower(spec.ID)] = needsEntry(needsResult(result, coe), outputs)
		for _, rec := range records {
			annotations = append(annotations, rec.rec.annotations...)
			summary.WriteString(rec.res.Summary)
		}
	}
	if r.c.Expect.Conclusion != "" && conclusion != r.c.Expect.Conclusion {
		t.Errorf("run conclusion %s, want %s", conclusion, r.c.Expect.Conclusion)
	}
	checkAnnotations(t, r.c.Expect.Annotations, annotations)
	for _, s := range r.c.Expect.JobSummaryContains {
		if !strings.Contains(summary.String(), s) {
			t.Errorf("job summary lacks %q:\n%s", s, summary.String())
		}
	}
}

// aggregate is a job's result over its legs: failure if any failed,
// cancelled if any was cancelled; outputs merged, the last leg winning.
func aggregate(records []jobRecord) (string, map[string]string) {
	result := resultSuccess
	outputs := map[string]string{}
	for _, rc := range records {
		switch {
		case rc.res.Result == resultFailure:
			result = resultFailure
		case rc.res.Result == resultCancelled && result == resultSuccess:
			result = resultCancelled
		}
		for k, v := range rc.res.Outputs {
			outputs[k] = v
		}
	}
	return result, outputs
}

// needsResult is what dependents see: a job with continue-on-error that
// failed counts as a success.
func needsResult(result string, continueOnError bool) string {
	if result == resultFailure && continueOnError {
		return resultSuccess
	}
	return result
}

func needsEntry(result string, outputs map[string]string) *expr.Object {
	o := expr.NewObject()
	o.Set("result", result)
	out := expr.NewObject()
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out.Set(k, outputs[k])
	}
	o.Set("outputs", out)
	return o
}

// runLegs runs a matrix job's legs concurrently; when one fails, the
// others are cancelled (fail-fast), as the engine would.
func (r *fxRun) runLegs(spec *workflow.Job, exp *fxJob, needs *expr.Object) []jobRecord {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	records := make([]jobRecord, len(exp.MatrixJobs))
	var wg sync.WaitGroup
	for i, leg := range exp.MatrixJobs {
		strategy := expr.NewObject()
		strategy.Set("fail-fast", true)
		strategy.Set("job-index", float64(i))
		strategy.Set("job-total", float64(len(exp.MatrixJobs)))
		strategy.Set("max-parallel", float64(len(exp.MatrixJobs)))
		job := r.job(spec, needs, leg.Matrix, strategy)
		wg.Go(func() {
			rec := newRecorder()
			res := newJobRun(job, rec, testTimings).execute(ctx)
			if res.Result == resultFailure {
				cancel()
			}
			records[i] = jobRecord{res, rec}
		})
	}
	wg.Wait()
	for i, leg := range exp.MatrixJobs {
		rc := records[i]
		rc.rec.check(r.t)
		name := spec.ID + " " + expr.ToJSON(toValue(leg.Matrix))
		if rc.res.Result != leg.Result {
			r.t.Errorf("%s: result %s, want %s", name, rc.res.Result, leg.Result)
		}
		r.checkSteps(name, leg.Steps, rc.res, rc.rec)
		for n := 1; n <= len(spec.Steps); n++ {
			for _, s := range leg.OutputNotContains {
				if strings.Contains(strings.Join(rc.rec.step(r.t, n).output(), "\n"), s) {
					r.t.Errorf("%s: output contains %q", name, s)
				}
			}
		}
	}
	return records
}

// checkJob checks one job against its expectation.
func (r *fxRun) checkJob(id string, exp *fxJob, res Result, rec *recorder) {
	t := r.t
	if res.Result != exp.Result {
		t.Errorf("job %s: result %s, want %s", id, res.Result, exp.Result)
	}
	for k, v := range exp.Outputs {
		if got, ok := res.Outputs[k]; !ok || got != v {
			t.Errorf("job %s: output %s = %q (set %v), want %q", id, k, got, ok, v)
		}
	}
	for _, k := range exp.OutputsAbsent {
		if _, ok := res.Outputs[k]; ok {
			t.Errorf("job %s: output %s should be absent", id, k)
		}
	}
	r.checkSteps(id, exp.Steps, res, rec)
	post := rec.step(t, len(res.Steps)+1)
	if post.name != "Complete job" {
		t.Errorf("job %s: last phase is %q", id, post.name)
	}
	if missing, ok := containsInOrder(post.lines, exp.PostJobLogContains); !ok {
		t.Errorf("job %s: Complete job log lacks %q:\n%s", id, missing, post.all())
	}
	for _, s := range exp.PostJobLogNotContains {
		if slices.Contains(post.lines, s) {
			t.Errorf("job %s: Complete job log has %q", id, s)
		}
	}
	for n := range len(res.Steps) + 2 {
		for _, s := range exp.LogNotContainsAnywhere {
			if strings.Contains(rec.step(t, n).all(), s) {
				t.Errorf("job %s: step %d's log contains %q", id, n, s)
			}
		}
	}
}

// checkSteps checks every step of a job: all steps are listed, in order.
func (r *fxRun) checkSteps(id string, exp []fxStep, res Result, rec *recorder) {
	t := r.t
	if len(exp) == 0 {
		return
	}
	if len(res.Steps) != len(exp) {
		t.Errorf("job %s: %d steps, want %d", id, len(res.Steps), len(exp))
		return
	}
	for i, want := range exp {
		got, log := res.Steps[i], rec.step(t, i+1)
		where := id + " step " + want.Name
		if got.Name != want.Name || log.name != want.Name {
			t.Errorf("%s: name %q (reported %q)", where, got.Name, log.name)
		}
		if got.Outcome != want.Outcome || got.Conclusion != want.Conclusion {
			t.Errorf("%s: outcome/conclusion %s/%s, want %s/%s", where, got.Outcome, got.Conclusion, want.Outcome, want.Conclusion)
		}
		if log.outcome != got.Outcome || log.conclusion != got.Conclusion {
			t.Errorf("%s: reported %s/%s, result %s/%s", where, log.outcome, log.conclusion, got.Outcome, got.Conclusion)
		}
		if missing, ok := containsInOrder(log.output(), want.OutputContains); !ok {
			t.Errorf("%s: output lacks the line %q (in order); output:\n%s", where, missing, strings.Join(log.output(), "\n"))
		}
		for _, s := range want.OutputNotContains {
			if strings.Contains(strings.Join(log.output(), "\n"), s) {
				t.Errorf("%s: output contains %q", where, s)
			}
		}
		for k, v := range want.Outputs {
			if got.Outputs[k] != v {
				t.Errorf("%s: output %s = %q, want %q", where, k, got.Outputs[k], v)
			}
		}
		checkShellHeader(t, where, log, want)
	}
}

// checkShellHeader checks the header's `shell: <path> <args>` line.
func checkShellHeader(t *testing.T, where string, log *recStep, want fxStep) {
	if want.HeaderShellArgs == "" && want.HeaderShellProgram == "" {
		return
	}
	for _, l := range log.header() {
		if rest, ok := strings.CutPrefix(l, "shell: "); ok {
			path, args, _ := strings.Cut(rest, " ")
			if want.HeaderShellArgs != "" && args != want.HeaderShellArgs {
				t.Errorf("%s: shell args %q, want %q", where, args, want.HeaderShellArgs)
			}
			if want.HeaderShellProgram != "" && filepath.Base(path) != want.HeaderShellProgram {
				t.Errorf("%s: shell program %q, want %q", where, path, want.HeaderShellProgram)
			}
			if !filepath.IsAbs(path) {
				t.Errorf("%s: shell path %q is not resolved", where, path)
			}
			return
		}
	}
	t.Errorf("%s: no shell line in the header:\n%s", where, strings.Join(log.header(), "\n"))
}

// checkAnnotations checks that want is a subsequence of got.
func checkAnnotations(t *testing.T, want []fxAnnotation, got []Annotation) {
	t.Helper()
	i := 0
	for _, w := range want {
		for i < len(got) && !annotationMatches(w, got[i]) {
			i++
		}
		if i == len(got) {
			t.Errorf("annotation %+v missing (in order) from %+v", w, got)
			return
		}
		i++
	}
}

func annotationMatches(w fxAnnotation, a Annotation) bool {
	return w.Level == a.Level && w.Message == a.Message &&
		(w.File == "" || w.File == a.File) && (w.Line == 0 || w.Line == a.Line) &&
		(w.Col == 0 || w.Col == a.Col) && (w.Title == "" || w.Title == a.Title)
}
