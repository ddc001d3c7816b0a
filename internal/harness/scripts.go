package harness

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// RunScripts runs every script in dir against the steps' programs, each
// script in parallel with the others. With update, a script whose cmp
// fails is rewritten with what came instead.
func RunScripts(t *testing.T, dir string, update bool) {
	binDir, _ := Steps(t)
	t.Cleanup(func() { // after every script has run
		if t.Failed() {
			t.Logf("If a step's new output is right, run: %s", UpdateCommand)
		}
	})
	p := ScriptParams(binDir, dir)
	p.UpdateScripts = update
	runEach(t, p)
}

// scriptLimit bounds one script's run, from its start: at its deadline,
// testscript stops what the script runs and fails it. Within it, every
// command that waits has a bound of its own, of seconds; this one bounds
// testscript's own wait, for a server that never exits.
const scriptLimit = 2 * time.Minute

// runEach runs each script of p in parallel with the others, under its
// own name, each with a deadline scriptLimit after it starts (or the
// test's, if that comes first).
func runEach(t *testing.T, p testscript.Params) {
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
			one.Deadline = scriptDeadline(t)
			testscript.RunT(flat{t}, one)
		})
	}
}

// scriptDeadline is scriptLimit from now, or t's deadline if that comes
// first.
func scriptDeadline(t *testing.T) time.Time {
	deadline := time.Now().Add(scriptLimit)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		return d
	}
	return deadline
}

// flat is t as testscript's T for one script: the script runs as t
// itself, not in a subtest of its own, and is already in parallel.
type flat struct{ *testing.T }

func (f flat) Parallel()                            {}
func (f flat) Verbose() bool                        { return testing.Verbose() }
func (f flat) Run(_ string, run func(testscript.T)) { run(f) }

// ScriptParams configures testscript for the scripts in dir, with the
// programs in binDir first on the PATH. Each script gets a free loopback
// address in $ADDR, the repository's root in $REPO, and the commands and
// conditions that testdata/README.md lists. Its deadline is the test's.
func ScriptParams(binDir, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition:           implementation(false),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("TUTORIAL_CURL", os.Getenv("TUTORIAL_CURL"))
			name, value, _ := strings.Cut(raceEnv, "=")
			env.Setenv(name, value)
			addr, err := FreeAddr()
			if err != nil {
				return err
			}
			env.Setenv("ADDR", addr)
			repo, err := Root()
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
			// exercisecmds: for the exercises' checks
			"burst":         cmdBurst,
			"shutdowntook":  cmdShutdowntook,
			"guardedwrites": cmdGuardedwrites,
		},
	}
}

// implementation answers a script's [python] condition: whether the
// programs under test are the Python twins.
func implementation(python bool) func(string) (bool, error) {
	return func(cond string) (bool, error) {
		if cond == "python" {
			return python, nil
		}
		return false, fmt.Errorf("unknown condition %q: the scripts know [python] (testdata/README.md)", cond)
	}
}

// FreeAddr returns a loopback address that nothing listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cmdWaitfor implements "waitfor ADDR": it polls until something accepts
// connections on ADDR, for WaitLimit at most. "! waitfor ADDR" waits for
// the opposite: a server that has stopped accepting. "waitfor URL TEXT"
// polls until a GET of URL answers with a body containing TEXT.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	switch {
	case len(args) == 2 && !neg:
		cmdWaitforBody(ts, args[0], args[1])
		return
	case len(args) != 1:
		ts.Fatalf("usage: [!] waitfor host:port, or waitfor url text")
	case neg:
		cmdWaitforClosed(ts, args[0])
		return
	}
	addr := args[0]
	var err error
	ok := PollFor(func() bool {
		if err = Connect(addr); err == nil {
			return true
		}
		for _, cmd := range ts.BackgroundCmds() {
			if errors.Is(cmd.Process.Signal(syscall.Signal(0)), os.ErrProcessDone) {
				ts.Fatalf("waitfor: %s exited before anything accepted connections on %s\n"+
					"(its stderr is shown below)", filepath.Base(cmd.Path), addr)
			}
		}
		return false
	})
	if !ok {
		ts.Fatalf("waitfor: nothing accepted connections on %s within %v: %v\n"+
			"(did the server start? its stderr is shown when the script ends)", addr, WaitLimit, err)
	}
}

// PollFor calls done every 10ms until it reports true, for WaitLimit at
// most, and reports whether it did: the one bounded poll every wait uses.
func PollFor(done func() bool) bool {
	return pollWithin(WaitLimit, done)
}

// pollWithin is PollFor with a limit of its own.
func pollWithin(limit time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // the poll interval, not a synchronisation
	}
}

// Connect opens and closes a connection to addr: nil if something
// accepts connections there now.
func Connect(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
	}
	return err
}

// cmdExits implements "exits N PROGRAM [ARGS...]": it runs PROGRAM, as
// exec does, and requires exit status N. Its output becomes the script's
// stdout and stderr. A program still running after exitLimit serves where
// it should exit: exits stops it, and fails, naming it.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits STATUS program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: status %q is not a number", args[0])
	}
	program := args[1]
	err = ts.Exec("within", append([]string{exitLimit.String(), program}, args[2:]...)...)
	var exitErr *exec.ExitError
	got := 0
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got == stillRunning && strings.Contains(ts.ReadFile("stderr"), stillRunningLine(program, exitLimit)) {
		ts.Fatalf("exits: %s is still running %v after start: it serves instead of exiting %d; stopped it",
			filepath.Base(program), exitLimit, want)
	}
	if got != want {
		ts.Fatalf("exits: %s exited with status %d, want %d", program, got, want)
	}
}

// cmdReplace implements "replace stdout|stderr REGEXP REPLACEMENT": it
// rewrites every match in the last command's output with the literal
// REPLACEMENT, so values that change on every run (request ids, timings)
// can be compared exactly. It fails if nothing matches, so a value that
// went missing is never hidden.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || (args[0] != "stdout" && args[0] != "stderr") {
		ts.Fatalf("usage: replace stdout|stderr regexp replacement")
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("replace: %v", err)
	}
	stdout, stderr := ts.ReadFile("stdout"), ts.ReadFile("stderr")
	text := &stdout
	if args[0] == "stderr" {
		text = &stderr
	}
	if !re.MatchString(*text) {
		ts.Fatalf("replace: no match for %s in %s", args[1], args[0])
	}
	*text = re.ReplaceAllLiteralString(*text, args[2])
	io.WriteString(ts.Stdout(), stdout)
	io.WriteString(ts.Stderr(), stderr)
}
