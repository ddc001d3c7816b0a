//go:build unix

package page

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Where the walk runs: a clone of the repository as a commit would hold
// it now, and a port for the page's 8080.

// snapshot makes a git repository at dst holding the files of the one at
// src that a commit would hold now: those git tracks, but the deleted,
// and the new ones it does not ignore.
func snapshot(src, dst string) error {
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = src
	out, err := ls.Output()
	files := slices.DeleteFunc(strings.Split(string(out), "\x00"), func(f string) bool {
		_, err := os.Lstat(filepath.Join(src, f))
		return f == "" || err != nil
	})
	for _, args := range [][]string{{"init", "-q", dst}, {"add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul"},
		{"-c", "user.name=walk", "-c", "user.email=walk@localhost", "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "the page's repository"}} {
		git := exec.Command("git", args...)
		git.Dir, git.Stdin = src, strings.NewReader(strings.Join(files, "\x00"))
		git.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_DIR="+dst+"/.git", "GIT_WORK_TREE="+src)
		if out, gerr := git.CombinedOutput(); err == nil && gerr != nil {
			err = fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), gerr, out)
		}
	}
	if err != nil {
		return fmt.Errorf("making a repository for the page's git clone: %v", err)
	}
	return nil
}

// walkPort returns a loopback port nothing listens on now, on 127.0.0.1
// and on ::1 (which curl may try first), for the page's 8080. The walk
// keeps it for the whole page, so it lies below the ephemeral ranges
// (Linux 32768 up, macOS 49152 up), where the system hands ports out.
func walkPort() (string, error) {
	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			ln6, err := net.Listen("tcp", "[::1]:"+port)
			ln.Close()
			if err == nil {
				ln6.Close()
			}
			if err == nil || strings.Contains(err.Error(), "cannot assign requested address") {
				return port, nil
			}
		}
	}
	return "", errors.New("no free loopback port between 20000 and 32000 for the page's 8080")
}
