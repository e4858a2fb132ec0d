package api

import (
	"archive/zip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Log downloads answer 302 to a URL that is signed with the server key and
// expires after a minute, as GitHub's do; whoever holds the URL may fetch
// it without a token, so that clients which drop Authorization on redirect
// still work.

const logURLLifetime = time.Minute

const logsPrefix = "/_dispatchd/logs/"

func (s *Server) signedLogURL(path string) string {
	exp := strconv.FormatInt(time.Now().Add(logURLLifetime).Unix(), 10)
	return s.BaseURL + logsPrefix + path + "?expires=" + exp + "&signature=" + s.sign(path, exp)
}

func (s *Server) sign(path, expires string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("logs\n" + path + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// runLogs answers GET …/runs/{run_id}/logs and …/attempts/{n}/logs.
func (s *Server) runLogs(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	attempt := run.RunAttempt
	if r.PathValue("attempt_number") != "" {
		if attempt, err = attemptOf(r, run); err != nil {
			return err
		}
	}
	http.Redirect(w, r, s.signedLogURL(fmt.Sprintf("runs/%d/%d/%d.zip", repo.ID, run.ID, attempt)), http.StatusFound)
	return nil
}

// jobLogs answers GET …/actions/jobs/{job_id}/logs.
func (s *Server) jobLogs(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	j, _, err := s.jobFor(r, repo)
	if err != nil {
		return err
	}
	http.Redirect(w, r, s.signedLogURL(fmt.Sprintf("jobs/%d/%d.txt", repo.ID, j.ID)), http.StatusFound)
	return nil
}

// serveSignedLogs serves what a signed log URL names.
func (s *Server) serveSignedLogs(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, logsPrefix)
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || time.Now().Unix() > exp ||
		!hmac.Equal([]byte(s.sign(path, q.Get("expires"))), []byte(q.Get("signature"))) {
		writeError(w, r, dispatchd.Errorf(dispatchd.EFORBIDDEN, "This log URL is invalid or has expired; ask the API for a new one."), "")
		return
	}
	var repoID, id, attempt int64
	var err2 error
	switch {
	case strings.HasPrefix(path, "runs/"):
		if _, err := fmt.Sscanf(path, "runs/%d/%d/%d.zip", &repoID, &id, &attempt); err != nil {
			writeError(w, r, errNotFound, "")
			return
		}
		err2 = s.writeRunZip(w, r, repoID, id, int(attempt))
	default:
		if _, err := fmt.Sscanf(path, "jobs/%d/%d.txt", &repoID, &id); err != nil {
			writeError(w, r, errNotFound, "")
			return
		}
		err2 = s.writeJobLog(w, r, repoID, id)
	}
	if err2 != nil {
		writeError(w, r, err2, "")
	}
}

func (s *Server) writeJobLog(w http.ResponseWriter, r *http.Request, repoID, jobID int64) error {
	j, err := s.Store.FindJob(r.Context(), repoID, jobID)
	if err != nil {
		return err
	}
	text, err := s.jobLog(r, j)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(text)
	return nil
}

// writeRunZip writes GitHub's layout: one "<n>_<job name>.txt" per job.
func (s *Server) writeRunZip(w http.ResponseWriter, r *http.Request, repoID, runID int64, attempt int) error {
	if _, err := s.Store.FindRun(r.Context(), repoID, runID); err != nil {
		return err
	}
	jobs, err := s.Store.ListJobs(r.Context(), runID, attempt)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=logs_%d.zip", runID))
	zw := zip.NewWriter(w)
	for i, j := range jobs {
		text, err := s.jobLog(r, j)
		if err != nil {
			return err
		}
		f, err := zw.Create(fmt.Sprintf("%d_%s.txt", i, safeName(j.Name)))
		if err != nil {
			return err
		}
		f.Write(text)
	}
	return zw.Close()
}

// rawLogTime is the timestamp of each line in GitHub's raw logs.
const rawLogTime = "2006-01-02T15:04:05.0000000Z"

// jobLog is the job's log in GitHub's raw format: each line behind its
// timestamp with seven fractional digits. A job that has not run has none.
func (s *Server) jobLog(r *http.Request, j *dispatchd.Job) ([]byte, error) {
	lines, err := s.Store.JobLog(r.Context(), j.ID, 0)
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, l := range lines {
		b = l.At.UTC().AppendFormat(b, rawLogTime)
		b = append(b, ' ')
		b = append(b, l.Text...)
		b = append(b, '\n')
	}
	return b, nil
}

// safeName keeps a job name usable as a file name in the archive.
func safeName(name string) string {
	return strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == 0 {
			return '_'
		}
		return c
	}, name)
}
