package survival

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"wsgi-to-go/internal/proc"
)

// TestSIGHUPWhileLoading: a SIGHUP that comes while step 04 still loads
// its config, before it listens, waits, and means one reload once it
// serves. Step 04 used to catch SIGHUP only once the config had loaded,
// and SIGHUP's default action killed it, its log empty. The config here
// takes a good part of a second of CPU to load, and the SIGHUP goes once
// the process has read the whole file: it is parsing it by then, past
// the first lines of main, however long a race-built runtime took to
// start. On a machine fast enough to load it sooner, the test tries again
// with a config four times the size.
func TestSIGHUPWhileLoading(t *testing.T) {
	t.Parallel()
	var s *proc.Server
	var config string
	for _, keys := range []int{120_000, 480_000} {
		if s, config = hangUpWhileLoading(t, keys); s != nil {
			break
		}
	}
	if s == nil {
		t.Fatalf("step 04 loaded even the larger config before the SIGHUP: the test proves nothing; make the config larger")
	}
	s.WaitForLog(t, "listening on", 1)
	s.WaitForLog(t, "hangup: reloaded "+config, 1)
	s.Signal(t, syscall.SIGTERM)
	if code := s.ExitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.Stderr)
	}
}

// hangUpWhileLoading starts step 04 with a config of keys [DEFAULT] keys,
// and sends it SIGHUP once it has read as many bytes as the config holds.
// It returns step 04 and the config's path; or nil, and stops step 04, if
// step 04 had loaded the config by then.
func hangUpWhileLoading(t *testing.T, keys int) (*proc.Server, string) {
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
	s := proc.StartProgram(t, nil, "04-pipeline", "-config", path)
	pid := s.Cmd.Process.Pid
	listening := func() bool { return strings.Contains(s.Stderr.String(), "listening on") }
	read := func() bool { n := readChars(t, pid); return n >= config.Len() || n < 0 }
	if !proc.PollFor(func() bool { return read() || listening() }) {
		t.Fatalf("step 04 did not read its %d-byte config within %v", config.Len(), proc.WaitLimit)
	}
	if listening() {
		s.Cmd.Process.Kill()
		s.ExitStatus(t)
		return nil, ""
	}
	s.Signal(t, syscall.SIGHUP)
	return s, path
}
