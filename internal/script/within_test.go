//go:build unix

package script

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExitsStopsAServer gives exits a program that serves where it should
// exit: exits fails within its bound, naming the program, and stops it.
func TestExitsStopsAServer(t *testing.T) {
	dir := t.TempDir()
	// 04-pipeline here serves for a minute: it prints a listening line,
	// notes its pid, and runs on.
	writeFiles(t, dir, map[string]string{
		"04-pipeline":  "#!/bin/sh\necho \"listening on http://$ADDR\" >&2\necho $$ > \"$PIDFILE\"\nexec sleep 60\n",
		"serves.txtar": "exits 2 04-pipeline -config swift.ini\n",
	})
	script := filepath.Join(dir, "serves.txtar")
	defer func(limit time.Duration) { exitLimit = limit }(exitLimit)
	exitLimit = 300 * time.Millisecond
	pidFile := filepath.Join(dir, "pid")
	start := time.Now()
	failed, log := Run(script, dir, dir, "", time.Now().Add(time.Minute), "PIDFILE="+pidFile)
	took := time.Since(start)

	want := "exits: 04-pipeline is still running 300ms after start: it serves instead of exiting 2; stopped it"
	if !failed || !strings.Contains(log, want) {
		t.Fatalf("exits on a program that serves: failed %v, log:\n%s\nwant it to fail with %q", failed, log, want)
	}
	if took > 5*time.Second {
		t.Errorf("exits took %v to give up on a program it bounds at 300ms", took)
	}
	requireStopped(t, pidFile)
}

// writeFiles writes each file's text into dir, as a program if it has no
// extension.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	for name, text := range files {
		mode := os.FileMode(0o666)
		if filepath.Ext(name) == "" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// requireStopped fails t if the process whose pid is in pidFile still
// runs, and stops it.
func requireStopped(t *testing.T, pidFile string) {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the program the script gave up on still runs (pid %d: %v)", pid, err)
	}
}

// TestWaitStopsAtTheScriptsDeadline: testscript's own wait, for a server
// that ignores SIGINT, fails at the script's deadline (Limit, in the
// suite), not the test's, and the server is stopped.
func TestWaitStopsAtTheScriptsDeadline(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"03-server": "#!/bin/sh\ntrap '' INT\necho $$ > \"$PIDFILE\"\nexec sleep 60\n",
		"deaf.txtar": "exec 03-server &srv&\nexec sh -c 'while [ ! -s \"$PIDFILE\" ]; do sleep 0.01; done'\n" +
			"kill -INT srv\nwait srv\n",
	})
	script := filepath.Join(dir, "deaf.txtar")
	pidFile := filepath.Join(dir, "pid")
	start := time.Now()
	failed, log := Run(script, dir, dir, "", time.Now().Add(2*time.Second), "PIDFILE="+pidFile)
	if took := time.Since(start); !failed || took > 10*time.Second {
		t.Fatalf("wait on a server deaf to SIGINT: failed %v after %v, log:\n%s", failed, took, log)
	}
	requireStopped(t, pidFile)
}
