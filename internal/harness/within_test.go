//go:build unix

package harness

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
	fake := "#!/bin/sh\necho \"listening on http://$ADDR\" >&2\necho $$ > \"$PIDFILE\"\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, "04-pipeline"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "serves.txtar")
	if err := os.WriteFile(script, []byte("exits 2 04-pipeline -config swift.ini\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	defer func(limit time.Duration) { exitLimit = limit }(exitLimit)
	exitLimit = 300 * time.Millisecond
	pidFile := filepath.Join(dir, "pid")
	start := time.Now()
	failed, log := runScript(script, dir, dir, "", time.Now().Add(time.Minute), "PIDFILE="+pidFile)
	took := time.Since(start)

	want := "exits: 04-pipeline is still running 300ms after start: it serves instead of exiting 2; stopped it"
	if !failed || !strings.Contains(log, want) {
		t.Fatalf("exits on a program that serves: failed %v, log:\n%s\nwant it to fail with %q", failed, log, want)
	}
	if took > 5*time.Second {
		t.Errorf("exits took %v to give up on a program it bounds at 300ms", took)
	}
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
		t.Errorf("exits left the program it gave up on running (pid %d: %v)", pid, err)
	}
}

// TestWaitStopsAtTheScriptsDeadline: testscript's own wait, for a server
// that ignores SIGINT, fails at the script's deadline (scriptLimit, in the
// suite), not the test's, and the server is stopped.
func TestWaitStopsAtTheScriptsDeadline(t *testing.T) {
	dir := t.TempDir()
	deaf := "#!/bin/sh\ntrap '' INT\necho $$ > \"$PIDFILE\"\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, "03-server"), []byte(deaf), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "deaf.txtar")
	pidFile := filepath.Join(dir, "pid")
	text := "exec 03-server &srv&\nexec sh -c 'while [ ! -s \"$PIDFILE\" ]; do sleep 0.01; done'\nkill -INT srv\nwait srv\n"
	if err := os.WriteFile(script, []byte(text), 0o666); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	failed, log := runScript(script, dir, dir, "", time.Now().Add(2*time.Second), "PIDFILE="+pidFile)
	if took := time.Since(start); !failed || took > 10*time.Second {
		t.Fatalf("wait on a server deaf to SIGINT: failed %v after %v, log:\n%s", failed, took, log)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the script's deadline left the server running (pid %d: %v)", pid, err)
	}
}
