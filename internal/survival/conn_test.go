package survival

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The helpers the tests share: raw bytes on one connection, as an
// attacker sends them, and what came back.

// exchange writes raw to a new connection to addr, as it is, and reads
// the responses that come back until the server closes the connection.
// It stops early, and reports the connection still open, when more than
// most responses came, or when none came for WaitLimit: a server that
// should have closed, and did not.
func exchange(t *testing.T, addr, raw string, most int) (responses []*http.Response, closed bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, proc.WaitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(proc.WaitLimit))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatalf("writing the request: %v", err)
	}
	br := bufio.NewReader(conn)
	for len(responses) <= most {
		if _, err := br.Peek(1); err != nil {
			return responses, isClosed(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", len(responses)+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil && !isClosed(err) {
			t.Fatalf("response %d's body: %v", len(responses)+1, err)
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		responses = append(responses, resp)
	}
	return responses, false
}

// isClosed reports whether err is the end of a connection the server
// closed, rather than a timeout.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET)
}

// bodyOf returns resp's body, which exchange has read already.
func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// statuses lists the responses' status codes, for a message.
func statuses(responses []*http.Response) []int {
	var codes []int
	for _, r := range responses {
		codes = append(codes, r.StatusCode)
	}
	return codes
}

// stopServer sends SIGINT, requires the clean exit, and returns everything
// the server wrote to stderr, its last access lines flushed.
func stopServer(t *testing.T, s *proc.Server) string {
	t.Helper()
	s.Signal(t, syscall.SIGINT)
	if code := s.ExitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.Stderr)
	}
	return s.Stderr.String()
}
