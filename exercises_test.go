package tutorial

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestExercises proves every exercise in exercises/: it has hints, its
// starting point (the step as shipped) fails its check, and its reference
// solution passes it. Run by go run ./exercises check, with
// EXERCISE_YOURS=_work/NAME, it checks the learner's copy instead.
func TestExercises(t *testing.T) {
	binDir, _ := buildSteps(t)
	entries, err := os.ReadDir("exercises")
	if err != nil {
		t.Fatal(err)
	}
	yours := os.Getenv("EXERCISE_YOURS")
	count := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		count++
		name := e.Name()
		dir := filepath.Join("exercises", name)
		t.Run(name, func(t *testing.T) {
			steps, err := filepath.Glob(filepath.Join("steps", name[:3]+"*"))
			if err != nil || len(steps) != 1 {
				t.Fatalf("exercise %s: no single step numbered %s", name, name[:2])
			}
			step := steps[0]
			check := filepath.Join(dir, "check.txtar")
			if yours != "" {
				prog := buildProgram(t, yours, filepath.Base(step))
				testscript.Run(t, checkParams(binDir, check, prog))
				return
			}
			t.Parallel()
			if err := readTree(dir); err != nil {
				t.Fatal(err)
			}
			if hints, _ := os.ReadFile(filepath.Join(dir, "hints.md")); len(strings.TrimSpace(string(hints))) == 0 {
				t.Errorf("%s/hints.md is missing or empty", dir)
			}

			// The starting point is the step as shipped: its binary is built.
			rec := &recordingT{}
			testscript.RunT(rec, checkParams(binDir, check, binDir))
			if !rec.didFail() {
				t.Errorf("%s passes on %s as shipped: the exercise asks for nothing", check, step)
			}

			solved := t.TempDir()
			copyProgram(t, step, solved)
			if err := applySolution(solved, filepath.Join(dir, "solution.txtar")); err != nil {
				t.Fatal(err)
			}
			testscript.Run(t, checkParams(binDir, check, buildProgram(t, solved, filepath.Base(step))))
		})
	}
	if count < 9 {
		t.Errorf("%d exercises in exercises/, want at least 9", count)
	}
}

// checkParams runs one check script, with the program in progDir on the
// PATH ahead of the steps.
func checkParams(binDir, script, progDir string) testscript.Params {
	p := scriptParams(binDir, "")
	p.Files, p.UpdateScripts = []string{script}, false
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		err := setup(env)
		env.Setenv("PATH", progDir+string(os.PathListSeparator)+env.Getenv("PATH"))
		return err
	}
	return p
}

// copyProgram copies a step's program, not its tests, into dst.
func copyProgram(t *testing.T, step, dst string) {
	t.Helper()
	entries, err := os.ReadDir(step)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(step, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// buildProgram builds the Go files in src into a folder of its own, as
// the program name, and returns the folder. A build error fails t with
// the compiler's message.
func buildProgram(t *testing.T, src, name string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			sources = append(sources, filepath.Base(f))
		}
	}
	out := t.TempDir()
	exe := filepath.Join(out, name)
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	args := append(append([]string{"build", "-o", exe}, buildFlags...), sources...)
	cmd := exec.Command("go", args...)
	cmd.Dir = src
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s does not build:\n%s", src, msg)
	}
	return out
}

// applySolution applies a solution.txtar to a copy of a step: a file
// named "F: find" and the "F: replace" after it replace that text, which
// must occur once in F; any other file is written as it is.
func applySolution(dir, solution string) error {
	ar, err := txtar.ParseFile(solution)
	if err != nil {
		return err
	}
	for i := 0; i < len(ar.Files); i++ {
		f := ar.Files[i]
		file, isFind := strings.CutSuffix(f.Name, ": find")
		if !isFind {
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o666); err != nil {
				return err
			}
			continue
		}
		if i+1 >= len(ar.Files) || ar.Files[i+1].Name != file+": replace" {
			return fmt.Errorf("%s: %q must be followed by %q", solution, f.Name, file+": replace")
		}
		path := filepath.Join(dir, file)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(src), string(f.Data)); n != 1 {
			return fmt.Errorf("%s: the text of %q occurs %d times in %s, want once", solution, f.Name, n, file)
		}
		src = []byte(strings.Replace(string(src), string(f.Data), string(ar.Files[i+1].Data), 1))
		if err := os.WriteFile(path, src, 0o666); err != nil {
			return err
		}
		i++
	}
	return nil
}
