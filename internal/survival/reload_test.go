//go:build unix

package survival

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"wsgi-to-go/internal/proc"
)

// The reload tests: SIGHUP with the config replaced by something that
// cannot be, or must not be, read as one. Each is refused in one line,
// at once; the previous pipeline keeps serving; and the next good config
// reloads as usual.

// TestReloadRefusesBadConfig runs one server per bad config.
func TestReloadRefusesBadConfig(t *testing.T) {
	cases := []struct {
		name    string
		replace func(t *testing.T, config string) // makes the config bad
		refusal string                            // a regexp for the reason logged, after "pipeline: "
		asUser  bool                              // run the server as nobody, when the test runs as root
	}{
		{"deleted", func(t *testing.T, config string) {
			check(t, os.Remove(config))
		}, `open CONFIG: no such file or directory`, false},
		{"unreadable", func(t *testing.T, config string) {
			check(t, os.Chmod(config, 0))
		}, `open CONFIG: permission denied`, true},
		{"a directory", func(t *testing.T, config string) {
			check(t, os.Remove(config))
			check(t, os.Mkdir(config, 0o755))
		}, `CONFIG is a directory, not a config file`, false},
		{"a FIFO", func(t *testing.T, config string) {
			check(t, os.Remove(config))
			check(t, syscall.Mkfifo(config, 0o644))
		}, `CONFIG is not a regular file: a pipe or a device could keep a read waiting forever`, false},
		{"a device that never ends", func(t *testing.T, config string) {
			check(t, os.Remove(config))
			check(t, os.Symlink("/dev/zero", config))
		}, `CONFIG is not a regular file: a pipe or a device could keep a read waiting forever`, false},
		{"50 MB", func(t *testing.T, config string) {
			// A valid config, every line a comment but the first ones.
			writeLines(t, config, greetingConfig("fifty"), 50<<20)
		}, `CONFIG is 5\d{7} bytes, over the 16777216 a config may have`, false},
		{"still growing", func(t *testing.T, config string) {
			growing(t, config)
		}, `CONFIG (is \d+ bytes, over the 16777216 a config may have|changed size while it was read: .*)`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var setup func(*proc.Server)
			if c.asUser && os.Geteuid() == 0 {
				// root reads any file, whatever its mode: run the server
				// as nobody, so that it cannot.
				dir, setup = asNobody(t)
			}
			config := filepath.Join(dir, "api-paste.ini")
			writeFileAtomically(t, config, greetingConfig("first"))
			s := proc.StartServerWith(t, setup, "04-pipeline", "-config", config)
			client := proc.NewClient()

			c.replace(t, config)
			s.Signal(t, syscall.SIGHUP)
			refusal := regexp.MustCompile(`(?m)^hangup: reload failed, still serving the previous pipeline: ` +
				strings.ReplaceAll(c.refusal, "CONFIG", regexp.QuoteMeta(config)) + `$`)
			if !proc.PollFor(func() bool { return refusal.MatchString(s.Stderr.String()) }) {
				t.Fatalf("no refusal matching %s:\n%s", refusal, s.Stderr)
			}
			if status, body, err := proc.Get(client, s.URL("/")); err != nil || body != "first\n" {
				t.Errorf("after the refusal: %d %q %v, want the previous pipeline's first", status, body, err)
			}

			// The reloader is not stuck: a good config reloads.
			os.Remove(config) // a directory would stay in the way of the rename
			writeFileAtomically(t, config, greetingConfig("second"))
			s.Signal(t, syscall.SIGHUP)
			if !proc.PollFor(func() bool {
				_, body, _ := proc.Get(client, s.URL("/"))
				return body == "second\n"
			}) {
				t.Fatalf("a good config did not reload after the refusal:\n%s", s.Stderr)
			}
			stopServer(t, s)
		})
	}
}

// check fails the test on err.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// writeLines writes config to path, then comment lines until it holds
// size bytes.
func writeLines(t *testing.T, path, config string, size int) {
	t.Helper()
	f, err := os.Create(path)
	check(t, err)
	w := bufio.NewWriter(f)
	w.WriteString(config)
	line := "# " + strings.Repeat("x", 61) + "\n"
	for n := len(config); n < size; n += len(line) {
		w.WriteString(line[:min(len(line), size-n)])
	}
	check(t, w.Flush())
	check(t, f.Close())
}

// growing starts a writer that appends comment lines to a valid config at
// path, until it holds 64 MiB or the test ends, and returns once the file
// is over the 16 MiB a config may have.
func growing(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	check(t, err)
	io.WriteString(f, greetingConfig("growing"))
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done; f.Close() })
	chunk := strings.Repeat("# "+strings.Repeat("x", 61)+"\n", 1024)
	go func() {
		defer close(done)
		for written := 0; written < 64<<20; written += len(chunk) {
			select {
			case <-stop:
				return
			default:
				if _, err := io.WriteString(f, chunk); err != nil {
					return
				}
			}
		}
	}()
	if !proc.PollFor(func() bool {
		info, err := os.Stat(path)
		return err == nil && info.Size() > 16<<20
	}) {
		t.Fatal("the config did not grow past 16 MiB")
	}
}

// asNobody returns a folder that the user nobody (uid and gid 65534) can
// read and write, and a setup that runs the server there, as nobody,
// through a link to its program in that folder, where nobody can run it.
// (A link, not a copy: a copy just written can be "text file busy" while
// another test forks.)
func asNobody(t *testing.T) (string, func(*proc.Server)) {
	t.Helper()
	dir, err := os.MkdirTemp("", "survival-nobody-")
	check(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	check(t, os.Chmod(dir, 0o777))
	return dir, func(s *proc.Server) {
		program := filepath.Join(dir, filepath.Base(s.Cmd.Path))
		check(t, os.Link(s.Cmd.Path, program))
		s.Cmd.Path, s.Cmd.Dir = program, dir
		s.Cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
}

// TestReloadRefusesBadConfigURI: the bounds hold for the files a config:
// URI names too: with the file a main config uses replaced by a FIFO,
// SIGHUP is refused in one line, at once, and the previous pipeline
// serves on.
func TestReloadRefusesBadConfigURI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	other := filepath.Join(dir, "other.ini")
	writeFileAtomically(t, other, "[app:main]\nuse = egg:tutorial#greeting\nmessage = first\n")
	config := filepath.Join(dir, "api-paste.ini")
	writeFileAtomically(t, config, "[app:main]\nuse = config:other.ini\n")
	s := proc.StartServer(t, "04-pipeline", "-config", config)

	check(t, os.Remove(other))
	check(t, syscall.Mkfifo(other, 0o644))
	s.Signal(t, syscall.SIGHUP)
	s.WaitForLog(t, "hangup: reload failed, still serving the previous pipeline: "+config+
		":2: use = config:other.ini: ", 1)
	s.WaitForLog(t, "other.ini is not a regular file: a pipe or a device could keep a read waiting forever\n", 1)
	if status, body, err := proc.Get(proc.NewClient(), s.URL("/")); err != nil || body != "first\n" {
		t.Errorf("after the refusal: %d %q %v, want the previous pipeline's first", status, body, err)
	}
	stopServer(t, s)
}
