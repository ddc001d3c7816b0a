package script

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/proc"
)

// The commands every script uses: waitfor, exits and replace.

// cmdWaitfor implements "waitfor ADDR": it polls until something accepts
// connections on ADDR, for proc.WaitLimit at most. "! waitfor ADDR" waits for
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
	ok := proc.PollFor(func() bool {
		if err = proc.Connect(addr); err == nil {
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
			"(did the server start? its stderr is shown when the script ends)", addr, proc.WaitLimit, err)
	}
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
