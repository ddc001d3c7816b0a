package python

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lookAround prints each decoy a python3 finds as a distribution, or
// imports, one line each.
const lookAround = `import importlib.metadata
for name, module in [("swift", "swift"), ("oslo.middleware", "oslo_middleware"),
                     ("keystonemiddleware", "keystonemiddleware"), ("nova", "nova")]:
    try:
        importlib.metadata.distribution(name)
        print("found the distribution", name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        __import__(module)
    except ImportError as err:
        if "decoy" in str(err):
            print("imported", module)
`

// TestSealHidesTheDecoys runs the same script sealed and not: sealed, it
// finds none of the decoys on PYTHONPATH; not sealed, it finds them all,
// so the check can fail.
func TestSealHidesTheDecoys(t *testing.T) {
	py, err := WithDecoys(t.TempDir())
	if errors.Is(err, ErrNoPython) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "look.py")
	if err := os.WriteFile(script, []byte(lookAround), 0o666); err != nil {
		t.Fatal(err)
	}
	sealed, err := py.Command(script).CombinedOutput()
	if err != nil || len(sealed) > 0 {
		t.Errorf("sealed, %s printed (%v):\n%s\nwant nothing: no decoy found, none imported", py.Exe, err, sealed)
	}
	open := exec.Command(py.Exe, script)
	open.Env = append(os.Environ(), "PYTHONPATH="+py.PythonPath)
	out, err := open.CombinedOutput()
	if err != nil || strings.Count(string(out), "found the distribution") != len(decoys) ||
		strings.Count(string(out), "imported") != len(decoys) {
		t.Errorf("not sealed, %s printed (%v):\n%s\nwant each of the %d decoys found and imported", py.Exe, err, out, len(decoys))
	}
}

// TestFindWithoutPython: with no python3 on PATH, Find says so, and never
// falls back to /usr/bin/python3.
func TestFindWithoutPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Find(t.TempDir(), os.Environ())
	if !errors.Is(err, ErrNoPython) {
		t.Errorf("Find with no python3 on PATH: %v, want ErrNoPython", err)
	}
}
