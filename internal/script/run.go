package script

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptParams runs the one script file, with the program in progDir on
// the PATH ahead of the steps in binDir, srcDir, the folder of that
// program's source, in $SRC, and env's NAME=VALUE entries set.
func scriptParams(binDir, file, progDir, srcDir string, env ...string) testscript.Params {
	p := Params(binDir, "")
	p.Files = []string{file}
	setup := p.Setup
	p.Setup = func(e *testscript.Env) error {
		err := setup(e)
		e.Setenv("PATH", progDir+string(os.PathListSeparator)+e.Getenv("PATH"))
		e.Setenv("SRC", srcDir)
		for _, kv := range env {
			name, value, _ := strings.Cut(kv, "=")
			e.Setenv(name, value)
		}
		return err
	}
	return p
}

// Run runs one script file, with the program in progDir ahead of
// the steps, its source in srcDir and env set, until deadline at most, and
// returns whether it failed and what it logged.
func Run(file, binDir, progDir, srcDir string, deadline time.Time, env ...string) (failed bool, log string) {
	p := scriptParams(binDir, file, progDir, srcDir, env...)
	p.Deadline = deadline
	return Record(p)
}

// Record runs p's scripts, and returns whether one failed and what they
// logged, instead of failing a test.
func Record(p testscript.Params) (failed bool, log string) {
	rec := &recorder{}
	testscript.RunT(rec, p)
	return rec.didFail(), rec.String()
}

// Fails runs one script, as Run does, within Limit, and
// reports whether it failed, as the negative checks want it to.
func Fails(t *testing.T, file, binDir, progDir string) bool {
	failed, _ := Run(file, binDir, progDir, "", Deadline(t))
	return failed
}

// recorder is a testscript.T that records a script's log and whether it
// failed, instead of failing a test: the negative checks want their
// scripts to fail, and the exercises runner prints the log to the learner,
// as testscript wrote it, before its summary.
type recorder struct {
	mu     sync.Mutex
	failed bool
	log    strings.Builder
}

func (r *recorder) failedNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) didFail() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) Skip(args ...any)  { runtime.Goexit() }
func (r *recorder) Fatal(args ...any) { r.Log(args...); r.failedNow() }
func (r *recorder) FailNow()          { r.failedNow() }
func (r *recorder) Parallel()         {}
func (r *recorder) Verbose() bool     { return false }

// String returns what the script logged.
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func (r *recorder) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(&r.log, args...)
}

// Run runs f in its own goroutine, so FailNow can end it, and waits.
func (r *recorder) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}
