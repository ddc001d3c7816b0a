package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyProgramSkipsWhatGitIgnores: a test binary left in a step's
// folder is not part of the step, for the exercises or the step diffs.
func TestCopyProgramSkipsWhatGitIgnores(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git here: nothing is ignored without it")
	}
	repo := t.TempDir()
	step := filepath.Join(repo, "steps", "01-app")
	for path, data := range map[string]string{
		".gitignore":   "*.test\n",
		"main.go":      "package main\n",
		"main_test.go": "package main\n",
		"01-app.test":  "\x7fELF",
	} {
		full := filepath.Join(step, path)
		if path == ".gitignore" {
			full = filepath.Join(repo, path)
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "-C", repo, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	dst := t.TempDir()
	if err := CopyProgram(step, dst); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dst)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != "main.go" {
		t.Errorf("CopyProgram copied %q, want main.go alone: not its test, nor a test binary git ignores", got)
	}
}
