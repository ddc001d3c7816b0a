// Package script runs the testscript scripts in testdata/ against the
// steps' programs, and gives them the commands testdata/README.md lists:
// waitfor, exits, replace, the lifecycle commands (inflight, signal,
// slowclient...), the exercises' checks' commands, and curl, a Go program
// that prints what curl prints. It also runs one script on its own, for
// the negative checks and the exercises, and records what it logged.
package script

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/proc"
)

// UpdateCommand rewrites the scripts' expected output, then the excerpts,
// transcripts and diffs in the markdown files, in that order.
const UpdateCommand = "go test . -update"

// Main runs m, after arranging that a script's curl runs this same
// program as the scripts' curl (see CurlMain), and exits' within
// (WithinMain), and each of programs' too, and removes what the harness
// made once per process (the steps' binaries, the tests' python3's seal)
// once m is done. Call it from TestMain, or from a main function whose m
// runs the checks.
func Main(m testscript.TestingM, programs ...map[string]func()) {
	all := map[string]func(){
		"curl":   CurlMain,
		"within": WithinMain,
	}
	for _, more := range programs {
		maps.Copy(all, more)
	}
	testscript.Main(cleanupAfter{m}, all)
}

// cleanupAfter runs m, then removes what proc.TempDir made.
type cleanupAfter struct{ m testscript.TestingM }

func (c cleanupAfter) Run() int {
	moreParallel()
	code := c.m.Run()
	proc.RemoveTemps()
	return code
}

// minParallel is how many tests a test binary runs at once, at least,
// unless -parallel says otherwise. The default, GOMAXPROCS, suits tests
// that compute; these wait on servers and on the programs they start most
// of the time, and on two cores the default left the CPUs half idle.
const minParallel = 4

// moreParallel raises a test binary's -test.parallel to minParallel, if it
// is lower and was not given on the command line. Anything else than a
// test binary has no such flag, and is left alone.
func moreParallel() {
	f := flag.Lookup("test.parallel")
	if f == nil {
		return
	}
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(v *flag.Flag) { given = given || v.Name == "test.parallel" })
	if n, err := strconv.Atoi(f.Value.String()); err == nil && !given && n < minParallel {
		f.Value.Set(strconv.Itoa(minParallel))
	}
}

// RunScripts runs every script in dir against the steps' programs, each
// script in parallel with the others. With update, a script whose cmp
// fails is rewritten with what came instead.
func RunScripts(t *testing.T, dir string, update bool) {
	binDir, _ := proc.Steps(t)
	t.Cleanup(func() { // after every script has run
		if t.Failed() {
			t.Logf("If a step's new output is right, run: %s", UpdateCommand)
		}
	})
	p := Params(binDir, dir)
	p.UpdateScripts = update
	RunEach(t, p)
}

// Limit bounds one script's run, from its start: at its deadline,
// testscript stops what the script runs and fails it. Within it, every
// command that waits has a bound of its own, of seconds; this one bounds
// testscript's own wait, for a server that never exits.
const Limit = 2 * time.Minute

// RunEach runs each script of p in parallel with the others, under its
// own name, each with a deadline Limit after it starts (or the
// test's, if that comes first).
func RunEach(t *testing.T, p testscript.Params) {
	files := p.Files
	if p.Dir != "" {
		var err error
		if files, err = filepath.Glob(filepath.Join(p.Dir, "*.txtar")); err != nil {
			t.Fatal(err)
		}
	}
	p.Dir = ""
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			one := p
			one.Files = []string{file}
			one.Deadline = Deadline(t)
			testscript.RunT(Flat{t}, one)
		})
	}
}

// Deadline is Limit from now, or t's deadline if that comes
// first.
func Deadline(t *testing.T) time.Time {
	deadline := time.Now().Add(Limit)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		return d
	}
	return deadline
}

// Flat is T as testscript's T for one script: the script runs as T
// itself, not in a subtest of its own, and is already in parallel.
type Flat struct{ *testing.T }

// Parallel does nothing: the script's test is in parallel already.
func (f Flat) Parallel() {}

// Verbose reports whether go test runs with -v.
func (f Flat) Verbose() bool { return testing.Verbose() }

// Run runs the script as f itself.
func (f Flat) Run(_ string, run func(testscript.T)) { run(f) }

// Params configures testscript for the scripts in dir, with the
// programs in binDir first on the PATH. Each script gets a free loopback
// address in $ADDR, the repository's root in $REPO, and the commands and
// conditions that testdata/README.md lists. Its deadline is the test's.
func Params(binDir, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition:           Condition(false),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("TUTORIAL_CURL", os.Getenv("TUTORIAL_CURL"))
			name, value, _ := strings.Cut(proc.RaceEnv, "=")
			env.Setenv(name, value)
			addr, err := proc.FreeAddr()
			if err != nil {
				return err
			}
			env.Setenv("ADDR", addr)
			repo, err := proc.Root()
			if err != nil {
				return err
			}
			env.Setenv("REPO", repo)
			env.Values[stateKey{}] = &scriptState{pending: map[string]*pending{}}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfor": cmdWaitfor,
			"exits":   cmdExits,
			"replace": cmdReplace,
			// servercmds.go
			"inflight":   cmdInflight,
			"await":      cmdAwait,
			"signal":     cmdSignal,
			"slowclient": cmdSlowclient,
			"mkfile":     cmdMkfile,
			"mkcert":     cmdMkcert,
			// checkcmds.go: for the exercises' checks
			"burst":         cmdBurst,
			"shutdowntook":  cmdShutdowntook,
			"guardedwrites": cmdGuardedwrites,
		},
	}
}

// Condition answers a script's [python] condition: whether the
// programs under test are the Python twins.
func Condition(python bool) func(string) (bool, error) {
	return func(cond string) (bool, error) {
		if cond == "python" {
			return python, nil
		}
		return false, fmt.Errorf("unknown condition %q: the scripts know [python] (testdata/README.md)", cond)
	}
}
