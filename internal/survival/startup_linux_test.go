package survival

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/harness"
)

// TestSIGHUPWhileLoading: a SIGHUP that comes while step 04 still loads
// its config, before it listens, waits, and means one reload once it
// serves. Step 04 used to catch SIGHUP only once the config had loaded,
// and SIGHUP's default action killed it, its log empty. The config here
// takes a good part of a second of CPU to load, and the SIGHUP goes once
// the process has used a tenth of a second: it is loading by then, long
// past the first lines of main.
func TestSIGHUPWhileLoading(t *testing.T) {
	t.Parallel()
	var config strings.Builder
	config.WriteString("[DEFAULT]\n")
	for i := range 120_000 {
		fmt.Fprintf(&config, "key%d = value %d\n", i, i)
	}
	config.WriteString(greetingConfig("loaded"))
	path := filepath.Join(t.TempDir(), "api-paste.ini")
	if err := os.WriteFile(path, []byte(config.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	dir, _ := harness.Steps(t)
	addr, err := harness.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &harness.LockedBuffer{}
	cmd := exec.Command(filepath.Join(dir, "04-pipeline"), "-addr", addr, "-config", path)
	cmd.Stderr = stderr
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })

	pid := cmd.Process.Pid
	if !harness.PollFor(func() bool { return cpuTicks(t, pid) >= 10 || cpuTicks(t, pid) < 0 }) {
		t.Fatalf("step 04 used no tenth of a second of CPU within %v", harness.WaitLimit)
	}
	if strings.Contains(stderr.String(), "listening on") {
		t.Fatalf("step 04 loaded its config before the SIGHUP: the test proves nothing; make the config larger")
	}
	cmd.Process.Signal(syscall.SIGHUP)

	waitLog := func(text string) {
		t.Helper()
		ok := harness.PollFor(func() bool {
			select {
			case <-exited:
				return true
			default:
				return strings.Contains(stderr.String(), text)
			}
		})
		if !ok || !strings.Contains(stderr.String(), text) {
			t.Fatalf("step 04's stderr never said %q (exited: %v, %v):\n%s", text, ok, cmd.ProcessState, stderr)
		}
	}
	waitLog("listening on")
	waitLog("hangup: reloaded " + path)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(harness.WaitLimit):
		t.Fatalf("step 04 still runs %v after SIGTERM:\n%s", harness.WaitLimit, stderr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, stderr)
	}
}
