// Package twins runs the tutorial's Python side: the scripts in testdata/
// against each step's WSGI twin (python/), sealed, and step 04's
// conformance corpus recorded again with the real Paste Deploy.
package twins

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
)

// Dir holds the Python twins: one WSGI program per step, named for it.
const Dir = "python"

// RunTwins runs every script in dir against the Python twins, each under
// its step's name, so the same curl commands must print the same output.
// A script marks a difference it intends with [python] and [!python]
// lines, and a comment that says why. The twins run sealed, beside decoy
// OpenStack distributions on PYTHONPATH (internal/python), so that what
// else is installed for that python3 changes nothing. Without python3 (3.9
// or later), it skips, and says so; without Paste Deploy, it skips step
// 04's scripts, and says so.
func RunTwins(t *testing.T, dir string) {
	py, noPython := probe.Python(t)
	if py == nil {
		t.Skipf("%s: the Python twins were not run", noPython)
	}
	steps, err := proc.StepNames()
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.ReadTree(Dir); err != nil { // so a changed twin is never a cached pass
		t.Fatal(err)
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	wrappers := t.TempDir()
	var skipped []string // steps whose twin cannot run here
	for _, step := range steps {
		twin := filepath.Join(repo, Dir, step+".py")
		src, err := os.ReadFile(twin)
		if err != nil {
			t.Fatalf("step %s has no Python twin: %v", step, err)
		}
		if bytes.Contains(src, []byte("from paste.deploy import")) && py.Paste == "" {
			t.Logf("%s: step %s's twin was not run", py.PasteMissing(), step)
			skipped = append(skipped, step)
			continue
		}
		if err := os.WriteFile(filepath.Join(wrappers, step), []byte(py.Wrapper(twin)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := script.Params(wrappers, dir) // never updated: the Go steps' output is the one recorded
	if len(skipped) > 0 {
		scripts, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
		if err != nil {
			t.Fatal(err)
		}
		p.Dir = ""
		p.Files = slices.DeleteFunc(scripts, func(script string) bool {
			return slices.ContainsFunc(skipped, func(step string) bool {
				return strings.HasPrefix(filepath.Base(script), step)
			})
		})
	}
	p.Condition = script.Condition(true)
	setup := p.Setup
	p.Setup = func(e *testscript.Env) error {
		e.Setenv("TUTORIAL_IMPL", "python")   // for curl: see wsgirefHead
		e.Setenv("PYTHONPATH", py.PythonPath) // the decoys: a sealed twin never sees them
		return setup(e)
	}
	script.RunEach(t, p)
}
