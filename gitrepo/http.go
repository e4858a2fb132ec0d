package gitrepo

import (
	"bufio"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Service is what a smart-HTTP request asks git to do.
type Service int

// Services of git's smart HTTP protocol.
const (
	ServiceUnknown Service = iota
	ServiceUpload          // clone and fetch: needs read access
	ServiceReceive         // push: needs write access
)

// ServiceOf classifies a request below /{owner}/{repo}.git: rest is the
// remainder of the path ("/info/refs", "/git-receive-pack", …).
func ServiceOf(r *http.Request, rest string) Service {
	switch {
	case rest == "/info/refs" && r.Method == http.MethodGet:
		switch r.URL.Query().Get("service") {
		case "git-upload-pack":
			return ServiceUpload
		case "git-receive-pack":
			return ServiceReceive
		}
	case rest == "/git-upload-pack" && r.Method == http.MethodPost:
		return ServiceUpload
	case rest == "/git-receive-pack" && r.Method == http.MethodPost:
		return ServiceReceive
	}
	return ServiceUnknown
}

// ServeHTTP runs `git http-backend` for repository id as a CGI program.
// net/http/cgi is not used because it refuses chunked request bodies, which
// git sends for every large push; http-backend itself reads its standard
// input to the end when no CONTENT_LENGTH is given. Both bodies stream
// through pipes, so a push of any size is never held in memory.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request, id int64, rest, remoteUser string, stderr io.Writer) {
	cmd := exec.CommandContext(r.Context(), h.git, "http-backend")
	cmd.Dir = h.root
	cmd.Env = cgiEnv(r, "/"+strconv.FormatInt(id, 10)+".git"+rest, h.root, remoteUser)
	cmd.Stdin = r.Body
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		http.Error(w, "git unavailable", http.StatusInternalServerError)
		return
	}
	if err := cmd.Start(); err != nil {
		http.Error(w, "git unavailable", http.StatusInternalServerError)
		return
	}
	defer cmd.Wait()
	if err := relay(w, bufio.NewReader(stdout)); err != nil {
		io.Copy(io.Discard, stdout)
	}
}

// cgiEnv is RFC 3875's environment plus what git reads: every request
// header as HTTP_* (Git-Protocol selects protocol v2, Content-Encoding a
// gzipped body), the repository root and the authenticated user.
func cgiEnv(r *http.Request, pathInfo, root, remoteUser string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "GATEWAY_INTERFACE=CGI/1.1", "SERVER_PROTOCOL=HTTP/1.1",
		"REQUEST_METHOD=" + r.Method, "QUERY_STRING=" + r.URL.RawQuery, "PATH_INFO=" + pathInfo,
		"CONTENT_TYPE=" + r.Header.Get("Content-Type"), "REMOTE_ADDR=" + r.RemoteAddr,
		"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root,
	}
	if r.ContentLength >= 0 && len(r.TransferEncoding) == 0 {
		env = append(env, "CONTENT_LENGTH="+strconv.FormatInt(r.ContentLength, 10))
	}
	if remoteUser != "" {
		env = append(env, "REMOTE_USER="+remoteUser)
	}
	for k, v := range r.Header {
		if k == "Authorization" || k == "Proxy-Authorization" {
			continue // the credentials stay with dispatchd
		}
		name := "HTTP_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
		env = append(env, name+"="+strings.Join(v, ", "))
	}
	return env
}

// relay copies a CGI response: headers (with "Status:"), then the body,
// flushing as git writes so progress reaches the client live.
func relay(w http.ResponseWriter, out *bufio.Reader) error {
	header, err := textproto.NewReader(out).ReadMIMEHeader()
	if err != nil {
		http.Error(w, "git http-backend sent no headers", http.StatusBadGateway)
		return err
	}
	status := http.StatusOK
	if s := header.Get("Status"); s != "" {
		if code, err := strconv.Atoi(strings.Fields(s)[0]); err == nil {
			status = code
		}
		header.Del("Status")
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := out.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}
