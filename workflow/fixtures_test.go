package workflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// The shared workflow fixtures (testdata/workflows at the module root) say,
// per dispatch, whether a run is created and with which messages a dispatch
// is rejected. Those decisions are this package's: triggers, types filter,
// input validation.

type fixtureCase struct {
	Name    string `json:"name"`
	Trigger struct {
		Event     string         `json:"event"`
		EventType string         `json:"event_type"`
		Inputs    map[string]any `json:"inputs"`
		Sequence  []struct {
			Event  string         `json:"event"`
			Inputs map[string]any `json:"inputs"`
		} `json:"sequence"`
	} `json:"trigger"`
	Expect struct {
		RunCreated       *bool `json:"run_created"`
		DispatchRejected *struct {
			Message     string `json:"message"`
			MessageLike string `json:"message_like"`
		} `json:"dispatch_rejected"`
		Jobs map[string]struct {
			MatrixJobs []struct {
				Matrix map[string]any `json:"matrix"`
			} `json:"matrix_jobs"`
			Steps []struct {
				OutputContains []string `json:"output_contains"`
			} `json:"steps"`
		} `json:"jobs"`
	} `json:"expect"`
}

type fixture struct {
	name  string
	src   []byte
	cases []fixtureCase
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob("../testdata/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []fixture
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(strings.TrimSuffix(f, ".yml") + ".expect.json")
		if err != nil {
			t.Fatal(err)
		}
		var exp struct {
			Cases []fixtureCase `json:"cases"`
		}
		if err := json.Unmarshal(raw, &exp); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, fixture{name: filepath.Base(f), src: src, cases: exp.Cases})
	}
	return out
}

func TestFixturesSummarizeValid(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			s := Summarize(".github/workflows/"+f.name, f.src)
			if !s.Valid {
				t.Errorf("not valid: %+v", s.Problems)
			}
			for _, p := range s.Problems {
				if p.Severity != SeverityWarning {
					t.Errorf("unexpected error problem %+v", p)
				}
				if p.Line < 1 || p.Column < 1 {
					t.Errorf("problem without position %+v", p)
				}
			}
			if s.Name == "" {
				t.Error("every fixture has a name:")
			}
			w, problems := Parse(".github/workflows/"+f.name, f.src)
			if w == nil || len(problems) != 0 {
				t.Fatalf("Parse: %v %+v", w, problems)
			}
			if !reflect.DeepEqual(w.Triggers, s.Triggers) {
				t.Errorf("Parse and Summarize disagree on triggers:\n%+v\n%+v", w.Triggers, s.Triggers)
			}
		})
	}
}

func TestFixturesTriggers(t *testing.T) {
	want := map[string]string{
		"continue_on_error.yml":        "workflow_dispatch",
		"default_env_vars.yml":         "repository_dispatch[env-check] workflow_dispatch",
		"if_condition_forms.yml":       "repository_dispatch[cond]",
		"matrix_fail_fast.yml":         "workflow_dispatch",
		"needs_outputs.yml":            "repository_dispatch[ship]",
		"rd_any_type.yml":              "repository_dispatch",
		"rd_types_filter.yml":          "repository_dispatch[deploy,rollback]",
		"refs_runname_concurrency.yml": "repository_dispatch workflow_dispatch(note:string=none)",
		"shells_env_defaults.yml":      "workflow_dispatch",
		"step_timeout.yml":             "workflow_dispatch",
		"wd_inputs_validation.yml":     "workflow_dispatch(version:string! channel:choice=beta{stable,beta,nightly} notes:string=n/a)",
		"workflow_commands.yml":        "workflow_dispatch",
	}
	for _, f := range loadFixtures(t) {
		got := describeTriggers(Summarize(f.name, f.src).Triggers)
		if got != want[f.name] {
			t.Errorf("%s: triggers %q, want %q", f.name, got, want[f.name])
		}
	}
}

// describeTriggers renders triggers compactly for table tests.
func describeTriggers(t dispatchd.Triggers) string {
	var parts []string
	for _, e := range t.Events {
		s := e
		switch e {
		case "repository_dispatch":
			if t.RepositoryDispatch == nil {
				s += "<nil>"
			} else if len(t.RepositoryDispatch.Types) > 0 {
				s += "[" + strings.Join(t.RepositoryDispatch.Types, ",") + "]"
			}
		case "workflow_dispatch":
			if t.WorkflowDispatch == nil {
				s += "<nil>"
			} else if len(t.WorkflowDispatch.Inputs) > 0 {
				var ins []string
				for _, in := range t.WorkflowDispatch.Inputs {
					d := in.ID + ":" + in.Type
					if in.Required {
						d += "!"
					}
					if in.Default != nil {
						d += "=" + *in.Default
					}
					if len(in.Options) > 0 {
						d += "{" + strings.Join(in.Options, ",") + "}"
					}
					ins = append(ins, d)
				}
				s += "(" + strings.Join(ins, " ") + ")"
			}
		case "push":
			if t.Push == nil {
				s += "<nil>"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// TestFixturesDispatch replays every dispatch of the fixtures against the
// trigger matching and input validation: a run is created exactly when the
// event matches and the inputs are valid, with the fixtures' messages.
func TestFixturesDispatch(t *testing.T) {
	checked := 0
	for _, f := range loadFixtures(t) {
		s := Summarize(f.name, f.src)
		for _, c := range f.cases {
			type dispatch struct {
				event, eventType string
				inputs           map[string]any
			}
			var ds []dispatch
			if len(c.Trigger.Sequence) > 0 {
				for _, d := range c.Trigger.Sequence {
					ds = append(ds, dispatch{event: d.Event, inputs: d.Inputs})
				}
			} else {
				ds = append(ds, dispatch{c.Trigger.Event, c.Trigger.EventType, c.Trigger.Inputs})
			}
			for _, d := range ds {
				created, msg := true, ""
				var inputs map[string]any
				var eventInputs map[string]string
				switch d.event {
				case "repository_dispatch":
					created = MatchesRepositoryDispatch(&s.Triggers, d.eventType)
				case "workflow_dispatch":
					if !s.Triggers.Has("workflow_dispatch") {
						t.Fatalf("%s: no workflow_dispatch trigger", f.name)
					}
					var err error
					inputs, eventInputs, err = ValidateInputs(s.Triggers.WorkflowDispatch, d.inputs)
					if err != nil {
						created, msg = false, err.Error()
						if dispatchd.ErrorCode(err) != dispatchd.EINVALID {
							t.Errorf("%s/%s: code %s, want invalid (422)", f.name, c.Name, dispatchd.ErrorCode(err))
						}
						msg = dispatchd.ErrorMessage(err)
					}
				default:
					t.Fatalf("%s/%s: unknown event %q", f.name, c.Name, d.event)
				}
				checked++
				if c.Expect.RunCreated != nil && created != *c.Expect.RunCreated {
					t.Errorf("%s/%s: run created %v, want %v (%s)", f.name, c.Name, created, *c.Expect.RunCreated, msg)
				}
				if r := c.Expect.DispatchRejected; r != nil {
					if r.Message != "" && msg != r.Message {
						t.Errorf("%s/%s: message %q, want %q", f.name, c.Name, msg, r.Message)
					}
					if r.MessageLike != "" && msg != r.MessageLike {
						t.Errorf("%s/%s: message %q, want %q", f.name, c.Name, msg, r.MessageLike)
					}
				}
				if created && inputs != nil {
					checkEchoedInputs(t, f.name+"/"+c.Name, c, inputs, eventInputs)
				}
			}
		}
	}
	if checked < 25 {
		t.Errorf("only %d dispatches checked", checked)
	}
}

// checkEchoedInputs compares the "id=value" and "event.id=value" lines a
// fixture's steps print with the values ValidateInputs produced.
func checkEchoedInputs(t *testing.T, name string, c fixtureCase, inputs map[string]any, eventInputs map[string]string) {
	for _, job := range c.Expect.Jobs {
		for _, st := range job.Steps {
			for _, line := range st.OutputContains {
				key, val, ok := strings.Cut(line, "=")
				if !ok {
					continue
				}
				val = strings.Trim(val, "[]")
				if id, ok := strings.CutPrefix(key, "event."); ok {
					if got, ok := eventInputs[id]; ok && got != val {
						t.Errorf("%s: github.event.inputs.%s = %q, want %q", name, id, got, val)
					}
				} else if got, ok := inputs[key]; ok && got != val {
					t.Errorf("%s: inputs.%s = %#v, want %q", name, key, got, val)
				}
			}
		}
	}
}

// TestFixturesMatrix expands the fixtures' matrices and compares them with
// the matrix legs the fixtures expect, in creation order.
func TestFixturesMatrix(t *testing.T) {
	n := 0
	for _, f := range loadFixtures(t) {
		w, _ := Parse(f.name, f.src)
		for _, c := range f.cases {
			for id, job := range c.Expect.Jobs {
				if len(job.MatrixJobs) == 0 {
					continue
				}
				j := w.Job(id)
				if j == nil || j.Strategy == nil || j.Strategy.Matrix == nil {
					t.Fatalf("%s: job %s has no matrix", f.name, id)
				}
				combos, err := ExpandMatrix(j.Strategy.Matrix.Entries)
				if err != nil {
					t.Fatal(err)
				}
				if len(combos) != len(job.MatrixJobs) {
					t.Fatalf("%s: %d legs, want %d", f.name, len(combos), len(job.MatrixJobs))
				}
				for i, leg := range job.MatrixJobs {
					if !reflect.DeepEqual(combos[i].Map(), leg.Matrix) {
						t.Errorf("%s: leg %d = %v, want %v", f.name, i, combos[i].Map(), leg.Matrix)
					}
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no fixture matrix was checked")
	}
}
