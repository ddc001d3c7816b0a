// Package proc builds the steps and runs them for a test, as a learner
// runs them: every step built once into one folder, a step's program
// started on a free loopback port, a client to talk to it, and the one
// bounded poll every wait uses. The other rooms of the harness
// (internal/script, internal/page, internal/exercise) and the survival
// tests start their programs through it. It works from any folder inside
// the repository, and listens on loopback only.
package proc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// WaitLimit bounds every wait the harness makes: for a port, a process, a
// reply.
const WaitLimit = 10 * time.Second

// root is the repository's root folder, found once.
var root struct {
	once sync.Once
	dir  string
	err  error
}

// Root returns the repository's root: the nearest folder, from the current
// one up, whose go.mod declares this module.
func Root() (string, error) {
	root.once.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			root.err = err
			return
		}
		for {
			mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && strings.HasPrefix(string(mod), "module wsgi-to-go\n") {
				root.dir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				root.err = errors.New("not inside the wsgi-to-go repository: no go.mod with module wsgi-to-go above the current folder")
				return
			}
			dir = parent
		}
	})
	return root.dir, root.err
}

// temps holds the folders TempDir made, for RemoveTemps.
var temps struct {
	mu   sync.Mutex
	dirs []string
}

// TempDir makes a folder that outlives any one test, for what a process
// finds or builds once (the steps' binaries, a sealed python3), and
// remembers it for RemoveTemps.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil {
		temps.mu.Lock()
		temps.dirs = append(temps.dirs, dir)
		temps.mu.Unlock()
	}
	return dir, err
}

// RemoveTemps removes every folder TempDir made: script.Main calls it once
// the tests are done.
func RemoveTemps() {
	temps.mu.Lock()
	defer temps.mu.Unlock()
	for _, dir := range temps.dirs {
		os.RemoveAll(dir)
	}
	temps.dirs = nil
}

// PollFor calls done every 10ms until it reports true, for WaitLimit at
// most, and reports whether it did: the one bounded poll every wait uses.
func PollFor(done func() bool) bool {
	return PollWithin(WaitLimit, done)
}

// PollWithin is PollFor with a limit of its own.
func PollWithin(limit time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // the poll interval, not a synchronisation
	}
}

// Connect opens and closes a connection to addr: nil if something
// accepts connections there now.
func Connect(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
	}
	return err
}

// FreeAddr returns a loopback address that nothing listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
