package survival

import (
	"net"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
)

// The address tests: what -addr accepts, and what it refuses.

// TestBadAddr: in every step, an -addr that is not host:port (empty, as
// an unset shell variable gives, or with no port) is a usage error: one
// line and exit status 2, before anything listens. One that is host:port
// but cannot be listened on is one line and status 1.
func TestBadAddr(t *testing.T) {
	t.Parallel()
	_, steps := proc.Steps(t)
	cases := []struct {
		addr   string
		status int
	}{
		{"", 2},
		{"no-port", 2},
		{"localhost:", 2},
		{"127.0.0.1", 2},
		{"::1", 2},
		{"[::1]", 2},
		{"127.0.0.1:99999", 1},
		{"127.0.0.1:-1", 1},
		{"no-such-host.invalid:8080", 1},
	}
	for _, step := range steps {
		for _, c := range cases {
			out, status := proc.RunProgram(t, step, "-addr", c.addr)
			if status == -1 {
				continue // it listened: RunProgram said so
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if status != c.status || len(lines) != 1 || !strings.HasPrefix(lines[0], step+": ") {
				t.Errorf("%s -addr %q: exit status %d and %q; want %d and one line", step, c.addr, status, out, c.status)
			}
			if c.status == 2 && !strings.Contains(lines[0], "is not host:port") {
				t.Errorf("%s -addr %q: %q does not say what -addr wants", step, c.addr, lines[0])
			}
		}
	}
}

// TestIPv6Loopback: -addr [::1]:PORT listens on IPv6 loopback, and serves.
func TestIPv6Loopback(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatalf("this machine has no IPv6 loopback to test on: %v", err)
	}
	ln.Close()
	for _, step := range []string{"03-server", "04-pipeline"} {
		t.Run(step, func(t *testing.T) {
			s := proc.StartServerWith(t, func(s *proc.Server) {
				s.Cmd.Args[2] = "[::1]:0" // the address after -addr
			}, step)
			if host, _, _ := net.SplitHostPort(s.Addr); host != "::1" {
				t.Fatalf("it listens on %s, want [::1]", s.Addr)
			}
			status, body, err := proc.Get(proc.NewClient(), s.URL("/"))
			if err != nil || status != 200 || !strings.Contains(body, "VietOpenStack") {
				t.Errorf("GET %s: %d %q %v", s.URL("/"), status, body, err)
			}
			stopServer(t, s)
		})
	}
}
