package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	for _, step := range steps {
		twin := filepath.Join(repo, twinsDir, step+".py")
		if _, err := os.Stat(twin); err != nil {
			t.Fatalf("step %s has no Python twin: %v", step, err)
		}
		// exec, so that signals reach python itself.
		script := fmt.Sprintf("#!/bin/sh\nexec %s %s \"$@\"\n", shellQuote(python), shellQuote(twin))
		if err := os.WriteFile(filepath.Join(wrappers, step), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := ScriptParams(wrappers, dir) // never updated: the Go steps' output is the one recorded
	p.Condition = implementation(true)
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		env.Setenv("TUTORIAL_IMPL", "python") // for curl: see wsgirefHead
		return setup(env)
	}
	testscript.Run(t, p)
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
	if out, err := exec.Command(python, "-c", "import sys; sys.exit(sys.version_info < (3, 9))").CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s is older than 3.9, or does not run (%v %s)", python, err, bytes.TrimSpace(out))
	}
	return python, nil
}
