package e2e

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestIdleKeepAliveConnectionsAreClosed: a client that stops sending on a
// keep-alive connection without closing it loses the connection after
// --idle-timeout, instead of holding it and its goroutine for as long as
// the server runs.
func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	s := startServer(t, append([]string{"--idle-timeout", "300ms"}, noRunners...)...)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/v3/rate_limit HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("status %d, close %v: want a 200 that keeps the connection", resp.StatusCode, resp.Close)
	}
	// The deadline only bounds a broken server; the close comes long before.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := r.Read(make([]byte, 1))
	if !errors.Is(err, io.EOF) {
		t.Fatalf("read %d bytes, err %v: want the server to close the idle connection (EOF)", n, err)
	}
}

func TestIdleTimeoutMustNotBeNegative(t *testing.T) {
	out, err := exec.Command(binary, "serve", "--idle-timeout", "-1s", "--data", t.TempDir(), "--addr", "127.0.0.1:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--idle-timeout -1s") {
		t.Fatalf("serve --idle-timeout -1s: err %v, output %s", err, out)
	}
}
