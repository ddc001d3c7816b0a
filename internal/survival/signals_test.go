//go:build unix

package survival

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The signal tests: SIGTERM and SIGINT are never lost, whatever SIGHUPs
// come before them, and a second one always exits at once.

// TestSIGTERMAfterSIGHUPBurst: SIGTERM right behind a burst of 50 SIGHUPs
// starts the shutdown, every time, and the SIGHUPs coalesce. Before
// reloads had a channel and a goroutine of their own, the SIGHUPs filled
// the one channel while a reload ran, and the SIGTERM was dropped: with
// this config of 6 MB, slow to load, in the first trial, every run.
func TestSIGTERMAfterSIGHUPBurst(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "api-paste.ini")
	writeLines(t, config, greetingConfig("hello"), 6<<20)
	for trial := range 3 {
		s := proc.StartServer(t, "04-pipeline", "-config", config)
		// A millisecond apart, as 50 kill -HUP from a shell come: sent
		// faster, the Go runtime would merge them into one before any
		// channel saw them.
		burst := time.NewTicker(time.Millisecond)
		for range 50 {
			<-burst.C
			s.Signal(t, syscall.SIGHUP)
		}
		burst.Stop()
		s.Signal(t, syscall.SIGTERM)
		if code := s.ExitStatus(t); code != 0 {
			t.Fatalf("trial %d: exit status %d, want 0:\n%s", trial+1, code, s.Stderr)
		}
		log := s.Stderr.String()
		if !strings.Contains(log, "terminated: shutting down") || !strings.Contains(log, "hangup: reloaded") {
			t.Fatalf("trial %d: want a reload, then the shutdown:\n%s", trial+1, log)
		}
		// Each reload reads and parses 6 MB, far longer than the
		// millisecond between two SIGHUPs: those that come during a reload
		// make one more, not one each.
		n := strings.Count(log, "hangup: reloaded")
		t.Logf("trial %d: %d reloads for 50 SIGHUPs", trial+1, n)
		if n > 25 {
			t.Errorf("trial %d: %d reloads for 50 SIGHUPs: they did not coalesce", trial+1, n)
		}
	}
}

// TestSignalsDuringBlockedReload: with the config replaced by a FIFO,
// which a plain open() waits on until a writer comes, SIGHUP is refused
// in one line at once, and SIGTERM still shuts the server down. Before,
// the reload waited forever on the signal loop, and no signal, not even
// a second SIGTERM, could stop the server.
func TestSignalsDuringBlockedReload(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "api-paste.ini")
	writeFileAtomically(t, config, greetingConfig("hello"))
	s := proc.StartServer(t, "04-pipeline", "-config", config)
	if err := os.Remove(config); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(config, 0o600); err != nil {
		t.Fatal(err)
	}
	s.Signal(t, syscall.SIGHUP)
	s.WaitForLog(t, "hangup: reload failed, still serving the previous pipeline: "+config+
		" is not a regular file: a pipe or a device could keep a read waiting forever\n", 1)
	if status, body, err := proc.Get(proc.NewClient(), s.URL("/")); err != nil || body != "hello\n" {
		t.Errorf("after the refused reload: %d %q %v, want the previous pipeline's hello", status, body, err)
	}
	s.Signal(t, syscall.SIGTERM)
	if code := s.ExitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.Stderr)
	}
}

// TestSecondSignalDuringDrain: in step 04 as in step 03, a second signal
// while the shutdown waits for a request in flight exits at once, with
// status 1, saying how many requests it cut.
func TestSecondSignalDuringDrain(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	resp, err := (&http.Client{}).Get(s.URL("/sleep?d=30s")) // its header comes at once
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	s.Signal(t, syscall.SIGINT)
	if !proc.PollFor(func() bool { return proc.Connect(s.Addr) != nil }) {
		t.Fatal("the server still accepts connections: the shutdown did not start")
	}
	s.Signal(t, syscall.SIGHUP) // ignored as a way out: a reload, at most
	s.Signal(t, syscall.SIGTERM)
	if code := s.ExitStatus(t); code != 1 {
		t.Errorf("exit status %d, want 1:\n%s", code, s.Stderr)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the request in flight completed: it should have been cut")
	}
	log := s.Stderr.String()
	for _, want := range []string{
		"\ninterrupt: shutting down, waiting up to 10s for requests in flight: 1\n",
		"\nterminated again: exiting now; requests cut: 1\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr does not say %q:\n%s", want, log)
		}
	}
}

// TestSIGHUPThroughShutdown: SIGHUPs that keep coming while the server
// shuts down, and after, never kill it: it exits 0, its log whole. The
// server catches SIGHUP until it exits: to stop catching it, with
// signal.Stop, restores its default action, which kills the process then
// and there, its buffered log lost; even signal.Ignore leaves a moment,
// inside Go's runtime, where a SIGHUP on its way does that.
func TestSIGHUPThroughShutdown(t *testing.T) {
	t.Parallel()
	for trial := range 3 {
		s := proc.StartServer(t, "04-pipeline")
		s.Signal(t, syscall.SIGTERM)
		// SIGHUPs without a pause until it exits: PollFor bounds the wait,
		// and ExitStatus below fails a server that never exits.
		proc.PollFor(func() bool {
			for range 100 {
				if s.HasExited() || s.Cmd.Process.Signal(syscall.SIGHUP) != nil {
					return true // it has exited
				}
			}
			return false
		})
		if code := s.ExitStatus(t); code != 0 {
			t.Fatalf("trial %d: exit status %d, want 0:\n%s", trial+1, code, s.Stderr)
		}
		if log := s.Stderr.String(); !strings.Contains(log, "\nshutdown complete\n") {
			t.Fatalf("trial %d: the log does not say shutdown complete:\n%s", trial+1, log)
		}
	}
}

// TestNoReloadNoWord: a server that was never sent SIGHUP says nothing of
// a reload as it exits, even given no time to drain. It said "a reload
// still runs after 0s" at every such exit, before the wait for the
// reloader had a floor.
func TestNoReloadNoWord(t *testing.T) {
	t.Parallel()
	for trial := range 5 {
		s := proc.StartServer(t, "04-pipeline", "-shutdown-timeout", "0s")
		s.Signal(t, syscall.SIGINT)
		s.ExitStatus(t) // 0, or 1 if the shutdown gave up on a connection at once
		if log := s.Stderr.String(); strings.Contains(log, "reload") {
			t.Fatalf("trial %d: the log speaks of a reload:\n%s", trial+1, log)
		}
	}
}
