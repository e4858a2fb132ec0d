package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// page is a request's per_page/page: 30 per page by default, at most 100.
type page struct{ perPage, number int }

func pageOf(r *http.Request) page {
	p := page{perPage: 30, number: 1}
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		p.perPage = min(n, 100)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 && n < 1<<20 {
		p.number = n
	}
	return p
}

func (p page) offset() int { return (p.number - 1) * p.perPage }

// setLink writes GitHub's Link header for a listing of total items; it is
// omitted when everything fits on one page.
func (s *Server) setLink(w http.ResponseWriter, r *http.Request, p page, total int) {
	last := max(1, (total+p.perPage-1)/p.perPage)
	if last == 1 && p.number == 1 {
		return
	}
	link := func(n int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(p.perPage))
		u := url.URL{Path: "/api/v3" + r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s%s>; rel=%q", s.BaseURL, u.String(), rel)
	}
	var parts []string
	if p.number > 1 {
		parts = append(parts, link(min(p.number-1, last), "prev"))
	}
	if p.number < last {
		parts = append(parts, link(p.number+1, "next"), link(last, "last"))
	}
	if p.number > 1 {
		parts = append(parts, link(1, "first"))
	}
	w.Header().Set("Link", strings.Join(parts, ", "))
}
