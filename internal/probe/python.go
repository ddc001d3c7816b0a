package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/python"
)

// RealStackDir holds the real stack the parity test serves step 04's
// configs with, from the repository's root: serve.py, its stand-ins, and
// distributions.txt, what its seal lets in.
const RealStackDir = "internal/parity/realstack"

// RealStackInstall is how a Debian machine gets the real stack's packages.
const RealStackInstall = "apt-get install python3-oslo.middleware python3-eventlet"

// realStackModules are what serve.py imports: where one of them does not
// import sealed, the parity test cannot run.
var realStackModules = []string{"oslo_middleware", "eventlet.wsgi", "webob", "paste.deploy", "paste.urlmap",
	"oslo_serialization.jsonutils"}

// realStack is the real stack's python3, found once per process.
var realStack struct {
	once sync.Once
	dir  string // its seals, removed at the end (proc.RemoveTemps, which script.Main calls)
	py   *python.Python
	why  string
	err  error
}

// RealStack returns the python3 that serves the real stack
// (RealStackDir's serve.py): the tests' python3, found without the
// decoys, with a second seal that lets in the distributions
// distributions.txt names (python.LetIn), found once per process; or nil,
// and why there is none, naming what to install. A fault of the seal's
// own fails t.
func RealStack(t testing.TB) (*python.Python, string) {
	realStack.once.Do(func() {
		if runtime.GOOS == "windows" {
			realStack.why = NoSealOnWindows
			return
		}
		realStack.py, realStack.why, realStack.err = findRealStack()
	})
	if realStack.err != nil {
		t.Fatal(realStack.err)
	}
	return realStack.py, realStack.why
}

// findRealStack is RealStack's search.
func findRealStack() (*python.Python, string, error) {
	root, err := proc.Root()
	if err != nil {
		return nil, "", err
	}
	list, err := os.ReadFile(filepath.Join(root, RealStackDir, "distributions.txt"))
	if err != nil {
		return nil, "", err
	}
	var dists []string
	for lines := bufio.NewScanner(bytes.NewReader(list)); lines.Scan(); {
		if line := strings.TrimSpace(lines.Text()); line != "" && !strings.HasPrefix(line, "#") {
			dists = append(dists, line)
		}
	}
	if realStack.dir, err = proc.TempDir("tutorial-realstack-"); err != nil {
		return nil, "", err
	}
	py, err := python.Find(filepath.Join(realStack.dir, "first"), os.Environ())
	if errors.Is(err, python.ErrNoPython) {
		return nil, err.Error() + ": install python3 (3.9 or later), then " + RealStackInstall, nil
	}
	if err != nil {
		return nil, "", err
	}
	if py.Paste == "" {
		return nil, py.PasteMissing() + ", then " + RealStackInstall, nil
	}
	real, err := py.LetIn(filepath.Join(realStack.dir, "real"), dists...)
	if err != nil {
		return nil, "", err
	}
	if err := real.Imports(realStackModules...); err != nil {
		// Installed, yet not in the seal: distributions.txt lacks a name.
		ctx, cancel := context.WithTimeout(context.Background(), proc.WaitLimit)
		defer cancel()
		open := exec.CommandContext(ctx, py.Exe, "-c", "import "+strings.Join(realStackModules, ", "))
		if open.Run() == nil {
			return nil, "", fmt.Errorf("%v, which it imports unsealed: add what they need to %s/distributions.txt", err, RealStackDir)
		}
		return nil, err.Error() + ": install them (" + RealStackInstall + ")", nil
	}
	return real, "", nil
}

// sealed is the tests' python3, found once per process.
var sealed struct {
	once sync.Once
	dir  string // its seal and the decoys, removed at the end (proc.RemoveTemps, which script.Main calls)
	py   *python.Python
	err  error
}

// Python returns the tests' python3 (internal/python), sealed, beside
// the decoys, found once per process; or nil, and why there is none to
// use, as on Windows, where there is no seal. A fault of the seal's own
// fails t.
func Python(t *testing.T) (*python.Python, string) {
	if runtime.GOOS == "windows" {
		return nil, NoSealOnWindows
	}
	sealed.once.Do(func() {
		if sealed.dir, sealed.err = proc.TempDir("tutorial-python-"); sealed.err == nil {
			sealed.py, sealed.err = python.WithDecoys(sealed.dir)
		}
	})
	if errors.Is(sealed.err, python.ErrNoPython) {
		return nil, sealed.err.Error() + ": install python3 (3.9 or later)"
	}
	if sealed.err != nil {
		t.Fatal(sealed.err)
	}
	return sealed.py, ""
}
