package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A run listing filtered by one of GitHub's search parameters lists the
// newest 1,000 matches at most, as GitHub's does; total_count still counts
// them all, and the Link header stops at the page of the 1,000th. Without
// such a filter every run can be listed.
func TestFilteredRunListsStopAtAThousand(t *testing.T) {
	s := startServer(t, "--embedded-runners", "0", "--rate-limit", "0")
	s.createRepo(s.Token, map[string]any{"name": "many", "auto_init": true})
	s.pushFiles("admin/many", s.Token, "main", map[string]string{".github/workflows/any.yml": anyDispatchWorkflow})

	const runs = 1005
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	next := make(chan int, runs)
	for i := range runs {
		next <- i
	}
	close(next)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				req, _ := http.NewRequest("POST", s.URL+"/api/v3/repos/admin/many/dispatches", strings.NewReader(`{"event_type":"x"}`))
				req.Header.Set("Authorization", "Bearer "+s.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 204 {
					errs <- fmt.Errorf("dispatch: %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	list := func(query string) (int, float64, string) {
		t.Helper()
		r := s.do("GET", "/api/v3/repos/admin/many/actions/runs?"+query, s.Token, nil)
		m := r.JSON(t)
		got, _ := m["workflow_runs"].([]any)
		return len(got), m["total_count"].(float64), r.Header.Get("Link")
	}
	if n, total, link := list("event=repository_dispatch&per_page=100&page=9"); n != 100 || total != runs ||
		!strings.Contains(link, `page=10&per_page=100>; rel="last"`) {
		t.Fatalf("page 9 of a search: %d runs, total %v, Link %s", n, total, link)
	}
	if n, total, _ := list("event=repository_dispatch&per_page=100&page=10"); n != 100 || total != runs {
		t.Fatalf("page 10 of a search: %d runs, total %v", n, total)
	}
	if n, total, _ := list("status=queued&per_page=30&page=34"); n != 10 || total != runs {
		t.Fatalf("page 34 of 30 (the 991st to the 1,000th): %d runs, total %v", n, total)
	}
	if n, total, _ := list("event=repository_dispatch&per_page=100&page=11"); n != 0 || total != runs {
		t.Fatalf("page 11 of a search: %d runs, total %v", n, total)
	}
	if n, total, link := list("per_page=100&page=10"); n != 100 || total != runs || !strings.Contains(link, `page=11&per_page=100>; rel="last"`) {
		t.Fatalf("page 10 unfiltered: %d runs, total %v, Link %s", n, total, link)
	}
	if n, _, _ := list("per_page=100&page=11"); n != runs-1000 {
		t.Fatalf("page 11 unfiltered: %d runs, want %d", n, runs-1000)
	}
}
