package tutorial

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// sharedMarker, as a line in a script, says the script checks behaviour a
// step shares with the one before it on purpose, so the negative check
// skips it.
const sharedMarker = "# shared with the previous step"

// TestScriptsFailOnPreviousStep runs each step's scripts against the
// previous step's program, under the new step's name. Each must fail:
// a script that passes there does not prove what its chapter adds.
func TestScriptsFailOnPreviousStep(t *testing.T) {
	binDir, steps := buildSteps(t)
	for i := 1; i < len(steps); i++ {
		prev, step := steps[i-1], steps[i]
		scripts, err := filepath.Glob(filepath.Join("testdata", step+"*.txtar"))
		if err != nil || len(scripts) == 0 {
			t.Errorf("no scripts for step %s in testdata/ (%v)", step, err)
			continue
		}
		// A folder where the new step's name runs the previous program.
		impostor := t.TempDir()
		exe := ""
		if runtime.GOOS == "windows" {
			exe = ".exe"
		}
		data, err := os.ReadFile(filepath.Join(binDir, prev+exe))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(impostor, step+exe), data, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, script := range scripts {
			src, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), "\n"+sharedMarker) {
				t.Logf("%s: skipped, marked %q", script, sharedMarker)
				continue
			}
			rec := &recordingT{}
			testscript.RunT(rec, checkParams(binDir, script, impostor))
			if !rec.didFail() {
				t.Errorf("%s passes against step %s's program: it does not prove what step %s adds.\n"+
					"Make it check something new, or mark it %q.", script, prev, step, sharedMarker)
			}
		}
	}
}

// recordingT is a testscript.T that records failures instead of failing
// the test: the negative check wants its scripts to fail.
type recordingT struct {
	mu     sync.Mutex
	failed bool
	log    strings.Builder
}

func (r *recordingT) failedNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingT) didFail() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recordingT) Skip(args ...any)  { runtime.Goexit() }
func (r *recordingT) Fatal(args ...any) { r.Log(args...); r.failedNow() }
func (r *recordingT) FailNow()          { r.failedNow() }
func (r *recordingT) Parallel()         {}
func (r *recordingT) Verbose() bool     { return false }

func (r *recordingT) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(&r.log, args...)
}

// Run runs f in its own goroutine, so FailNow can end it, and waits.
func (r *recordingT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}
