package survival

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
)

// What /proc says of a server's process: its open file descriptors, and
// the memory it holds.

// openFiles lists what s's process has open, one entry a file
// descriptor, and counts the sockets among them: its listener, and a
// connection each. The Go runtime's own reads of the cgroup's CPU quota,
// which it opens and closes as it pleases, are left out.
func openFiles(t *testing.T, s *proc.Server) (files []string, sockets int) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", s.Cmd.Process.Pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(dir + "/" + fd.Name())
		switch {
		case err != nil: // closed since
		case strings.HasPrefix(target, "/sys/fs/cgroup/"):
		case strings.HasPrefix(target, "socket:"):
			sockets++
			files = append(files, "socket")
		default:
			files = append(files, target)
		}
	}
	slices.Sort(files)
	return files, sockets
}

// quiet waits until s holds no connection, its listener its only socket,
// and returns what it has open then. It fails the test if s still holds
// a connection after WaitLimit.
func quiet(t *testing.T, s *proc.Server) []string {
	t.Helper()
	var files []string
	sockets := 0
	if !proc.PollFor(func() bool { files, sockets = openFiles(t, s); return sockets == 1 }) {
		t.Fatalf("the server still holds %d connections after %v", sockets-1, proc.WaitLimit)
	}
	return files
}

// residentKiB is the memory s's process holds, in KiB: VmRSS.
func residentKiB(t *testing.T, s *proc.Server) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatalf("VmRSS: %q: %v", line, err)
			}
			return kib
		}
	}
	t.Fatal("no VmRSS in /proc/PID/status")
	return 0
}

// readChars is how many bytes pid has read so far, from files, pipes and
// sockets: rchar in /proc/PID/io; -1 once it has exited.
func readChars(t *testing.T, pid int) int {
	t.Helper()
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1 // it has exited
	}
	for _, line := range strings.Split(string(io), "\n") {
		if rest, ok := strings.CutPrefix(line, "rchar:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				t.Fatalf("/proc/%d/io: %q", pid, line)
			}
			return n
		}
	}
	t.Fatalf("no rchar in /proc/%d/io", pid)
	return 0
}
