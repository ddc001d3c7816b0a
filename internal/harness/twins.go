package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// twinsDir holds the Python twins: one WSGI program per step, named for it.
const twinsDir = "python"

// RunTwins runs every script in dir against the Python twins, each under
// its step's name, so the same curl commands must print the same output.
// A script marks a difference it intends with [python] and [!python]
// lines, and a comment that says why. Without python3 (3.9 or later), it
// skips, and says so.
func RunTwins(t *testing.T, dir string) {
	if runtime.GOOS == "windows" {
		t.Skip("the Python twins run through a shell wrapper, so not on Windows")
	}
	python, err := FindPython()
	if err != nil {
		t.Skipf("%v: the Python twins were not run. "+
			"Install python3 (3.9 or later) to compare them with the Go steps.", err)
	}
	steps, err := StepNames()
	if err != nil {
		t.Fatal(err)
	}
	if err := readTree(twinsDir); err != nil { // so a changed twin is never a cached pass
		t.Fatal(err)
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	wrappers := t.TempDir()
	var skipped []string // steps whose twin cannot run here
	for _, step := range steps {
		twin := filepath.Join(repo, twinsDir, step+".py")
		src, err := os.ReadFile(twin)
		if err != nil {
			t.Fatalf("step %s has no Python twin: %v", step, err)
		}
		// A twin that loads its config with Paste Deploy runs with a
		// python3 that has it: Debian's, if not the one on PATH.
		python := python
		if bytes.Contains(src, []byte("from paste.deploy import")) {
			if python = pasteDeployPython(python); python == "" {
				t.Logf("Paste Deploy is not installed for python3: the scripts of %s were not run against its twin. "+
					"Install Debian's python3-pastedeploy (apt-get install python3-pastedeploy) to run them.", step)
				skipped = append(skipped, step)
				continue
			}
		}
		// exec, so that signals reach python itself.
		script := fmt.Sprintf("#!/bin/sh\nexec %s %s \"$@\"\n", shellQuote(python), shellQuote(twin))
		if err := os.WriteFile(filepath.Join(wrappers, step), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := ScriptParams(wrappers, dir) // never updated: the Go steps' output is the one recorded
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
	p.Condition = implementation(true)
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		env.Setenv("TUTORIAL_IMPL", "python") // for curl: see wsgirefHead
		return setup(env)
	}
	testscript.Run(t, p)
}

// pasteDeployPython returns python, or else the system's python3, if it
// can import paste.deploy; "" if neither can.
func pasteDeployPython(python string) string {
	for _, candidate := range []string{python, "/usr/bin/python3"} {
		if exec.Command(candidate, "-c", "import paste.deploy, paste.urlmap").Run() == nil {
			return candidate
		}
	}
	return ""
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FindPython returns the path of python3, if it is installed and 3.9 or
// later: the twins need no older one.
func FindPython() (string, error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 is not installed")
	}
	// The interpreter python3 names, as sys.executable: python3 on PATH may
	// be a launcher rather than Python (pyenv's shim is a shell script that
	// takes 0.2 s to find it), and the scripts start over a hundred twins.
	out, err := exec.Command(python, "-c", "import sys\nif sys.version_info < (3, 9): sys.exit(1)\nprint(sys.executable)").Output()
	if err != nil {
		return "", fmt.Errorf("%s is older than 3.9, or does not run (%v)", python, err)
	}
	if exe := strings.TrimSpace(string(out)); exe != "" {
		python = exe
	}
	return python, nil
}
