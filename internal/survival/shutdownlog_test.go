//go:build unix

package survival

import (
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"wsgi-to-go/internal/proc"
)

// TestAccessLogLosesNothing: the access lines of requests that completed
// reach stderr before the server exits, on every way out: a clean
// shutdown on SIGTERM, a second signal, and a shutdown that gives up on a
// request still in flight. The requests come just before the signal, so
// their lines are still waiting to be written when it arrives.
func TestAccessLogLosesNothing(t *testing.T) {
	const requests = 300
	exits := []struct {
		name   string
		args   []string
		signal []syscall.Signal
		status int
		last   string // the line that ends the log
	}{
		{"SIGTERM", nil, []syscall.Signal{syscall.SIGTERM}, 0, "shutdown complete\n"},
		{"second signal", nil, []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 1, "interrupt again: exiting now; requests cut: 1\n"},
		{"shutdown timed out", []string{"-shutdown-timeout", "200ms"}, []syscall.Signal{syscall.SIGTERM}, 1,
			"shutdown: gave up waiting after 200ms; requests cut: 1\n"},
	}
	for _, step := range []string{"03-server", "04-pipeline"} {
		for _, exit := range exits {
			t.Run(step+"/"+exit.name, func(t *testing.T) {
				t.Parallel()
				s := proc.StartServer(t, step, exit.args...)
				client := proc.NewClient()
				for i := range requests {
					if status, _, err := proc.Get(client, s.URL(fmt.Sprintf("/?n=%d", i))); err != nil || status != 200 {
						t.Fatalf("request %d: %d %v", i, status, err)
					}
				}
				if exit.status != 0 { // a request in flight, for the exit to cut
					resp, err := (&http.Client{}).Get(s.URL("/sleep?d=30s"))
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
				}
				for i, sig := range exit.signal {
					if i > 0 && !proc.PollFor(func() bool { return proc.Connect(s.Addr) != nil }) {
						t.Fatal("the server still accepts connections: the shutdown did not start")
					}
					s.Signal(t, sig)
				}
				if code := s.ExitStatus(t); code != exit.status {
					t.Errorf("exit status %d, want %d", code, exit.status)
				}
				log := s.Stderr.String()
				if got := strings.Count(log, "msg=request method=GET path=/ status=200 "); got != requests {
					t.Errorf("%d access lines for %d requests", got, requests)
				}
				if !strings.HasSuffix(log, exit.last) {
					t.Errorf("the log does not end with %q:\n%.2000s", exit.last, log[max(0, len(log)-2000):])
				}
			})
		}
	}
}
