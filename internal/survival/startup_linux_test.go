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
// past the first lines of main. On a machine fast enough to load it
// sooner, the test tries again with a config four times the size.
func TestSIGHUPWhileLoading(t *testing.T) {
	t.Parallel()
	var s *loadingStep
	for _, keys := range []int{120_000, 480_000} {
		if s = hangUpWhileLoading(t, keys); s != nil {
			break
		}
	}
	if s == nil {
		t.Fatalf("step 04 loaded even the larger config before the SIGHUP: the test proves nothing; make the config larger")
	}
	cmd, stderr, exited, path := s.cmd, s.stderr, s.exited, s.config

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

// loadingStep is step 04, sent SIGHUP while it loads its config.
type loadingStep struct {
	cmd    *exec.Cmd
	stderr *harness.LockedBuffer
	exited chan struct{} // closed once cmd has exited
	config string        // the config's path
}

// hangUpWhileLoading starts step 04 with a config of keys [DEFAULT] keys,
// and sends it SIGHUP once it has used a tenth of a second of CPU. It
// returns nil, and stops step 04, if step 04 had loaded the config by
// then.
func hangUpWhileLoading(t *testing.T, keys int) *loadingStep {
	t.Helper()
	var config strings.Builder
	config.WriteString("[DEFAULT]\n")
	for i := range keys {
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
	s := &loadingStep{stderr: &harness.LockedBuffer{}, exited: make(chan struct{}), config: path}
	s.cmd = exec.Command(filepath.Join(dir, "04-pipeline"), "-addr", addr, "-config", path)
	s.cmd.Stderr = s.stderr
	s.cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.exited })

	pid := s.cmd.Process.Pid
	listening := func() bool { return strings.Contains(s.stderr.String(), "listening on") }
	if !harness.PollFor(func() bool { return cpuTicks(t, pid) >= 10 || cpuTicks(t, pid) < 0 || listening() }) {
		t.Fatalf("step 04 used no tenth of a second of CPU within %v", harness.WaitLimit)
	}
	if listening() {
		s.cmd.Process.Kill()
		<-s.exited
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	return s
}
