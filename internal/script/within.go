package script

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"wsgi-to-go/internal/proc"
)

// stillRunning is within's exit status for a program it had to stop.
const stillRunning = 125

// exitLimit bounds how long exits lets a program run: one that still runs
// then serves where it should have exited. A variable, so the harness's
// own test of it can wait less.
var exitLimit = proc.WaitLimit

// WithinMain is the program behind exits: "within LIMIT PROGRAM
// [ARGS...]" runs PROGRAM with its stdin, stdout and stderr, and exits
// with its status (128+N for signal N). If it still runs after LIMIT, it
// stops it, says so on stderr, and exits with stillRunning. (testscript's
// Exec waits as long as the test may run; exits must fail in seconds.)
func WithinMain() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: within LIMIT PROGRAM [ARGS...]")
		os.Exit(2)
	}
	limit, err := time.ParseDuration(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "within: %v\n", err)
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "within: %v\n", err)
		os.Exit(2)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		fmt.Fprintln(os.Stderr, stillRunningLine(os.Args[2], limit))
		os.Exit(stillRunning)
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		os.Exit(exitErr.ExitCode())
	case errors.As(err, &exitErr):
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			os.Exit(128 + int(status.Signal()))
		}
	}
	fmt.Fprintf(os.Stderr, "within: %v\n", err)
	os.Exit(2)
}

// stillRunningLine is what within says of a program it stopped.
func stillRunningLine(program string, limit time.Duration) string {
	return fmt.Sprintf("within: %s was still running %v after it started; stopped it", program, limit)
}
