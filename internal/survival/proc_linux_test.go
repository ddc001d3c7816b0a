package survival

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wsgi-to-go/internal/harness"
)

// What /proc says of a server's process: its open file descriptors, and
// the memory it holds.

// openFiles lists what s's process has open, one entry a file
// descriptor, and counts the sockets among them: its listener, and a
// connection each. The Go runtime's own reads of the cgroup's CPU quota,
// which it opens and closes as it pleases, are left out.
func openFiles(t *testing.T, s *harness.Server) (files []string, sockets int) {
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
func quiet(t *testing.T, s *harness.Server) []string {
	t.Helper()
	var files []string
	sockets := 0
	if !harness.PollFor(func() bool { files, sockets = openFiles(t, s); return sockets == 1 }) {
		t.Fatalf("the server still holds %d connections after %v", sockets-1, harness.WaitLimit)
	}
	return files
}

// residentKiB is the memory s's process holds, in KiB: VmRSS.
func residentKiB(t *testing.T, s *harness.Server) int {
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

// cpuTicks is the CPU time pid has used so far, user and system, in clock
// ticks (a hundredth of a second on Linux): fields 14 and 15 of
// /proc/PID/stat, after the command name in parentheses.
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1 // it has exited
	}
	_, after, _ := strings.Cut(string(stat), ") ")
	fields := strings.Fields(after) // fields[0] is field 3, the state
	if len(fields) < 13 {
		t.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	utime, err1 := strconv.Atoi(fields[11])
	stime, err2 := strconv.Atoi(fields[12])
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	return utime + stime
}
