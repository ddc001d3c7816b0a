package survival

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
)

// TestSIGHUPStormUnderLoad: while eight clients send requests without a
// pause, bursts of SIGHUP reload the config over a hundred times. No request
// fails, and afterwards the server holds the same file descriptors as
// before and no more memory than after a first, smaller storm (but under
// -race, where the race detector's memory grows): reloads leak neither
// files nor pipelines.
func TestSIGHUPStormUnderLoad(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "api-paste.ini")
	writeFileAtomically(t, config, greetingConfig("hello"))
	s := proc.StartServer(t, "04-pipeline", "-config", config)
	client := proc.NewClient()
	idle := quiet(t, s)

	// storm sends bursts of SIGHUP under load, each burst after the
	// previous one's reload, until the server has reloaded n times more.
	storm := func(n int) {
		var stop atomic.Bool
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					if status, body, err := proc.Get(client, s.URL("/")); err != nil || status != 200 || body != "hello\n" {
						t.Errorf("during the storm: %d %q %v", status, body, err)
						return
					}
				}
			}()
		}
		defer func() { stop.Store(true); wg.Wait(); client.CloseIdleConnections() }()
		reloads := func() int { return strings.Count(s.Stderr.String(), "hangup: reloaded") }
		for target := reloads() + n; reloads() < target; {
			before := reloads()
			for range 10 {
				s.Signal(t, syscall.SIGHUP)
			}
			if !proc.PollFor(func() bool { return reloads() > before }) {
				t.Fatalf("a burst of SIGHUP made no reload:\n%s", s.Stderr)
			}
		}
	}

	storm(20)
	if files := quiet(t, s); !slices.Equal(files, idle) {
		t.Errorf("open after 20 reloads: %q; before: %q", files, idle)
	}
	warm := residentKiB(t, s)
	storm(100)
	if files := quiet(t, s); !slices.Equal(files, idle) {
		t.Errorf("open after 120 reloads: %q; before: %q", files, idle)
	}
	after := residentKiB(t, s)
	t.Logf("%d files open when idle; resident memory %d KiB after 20 reloads, %d KiB after 100 more", len(idle), warm, after)
	if proc.RaceBuilt() {
		t.Logf("memory not checked: %s", probe.RaceMemory)
	} else if after > warm*5/4+4096 {
		t.Errorf("resident memory grew from %d KiB to %d KiB over 100 reloads", warm, after)
	}
	stopServer(t, s)
}
