package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// buildFlags are added to every go build the harness runs; race.go adds
// -race when the harness itself is built with the race detector. The
// harness never debugs what it builds, so the linker leaves out the
// symbol table and DWARF (-s -w): a third less CPU for the exercises'
// builds. Panics still print their stacks. -trimpath keeps the folder a
// program was built in out of it, and so out of the build cache's keys:
// the exercises' variants, built in a new temporary folder on every run,
// are compiled once and then found in the cache (a third less CPU again
// for TestExercises). A compiler's message names the same files.
var buildFlags = []string{"-ldflags=-s -w", "-trimpath"}

// RaceBuilt reports whether the harness builds the steps with the race
// detector, as it does under go test -race.
func RaceBuilt() bool { return slices.Contains(buildFlags, "-race") }

// RaceEnv is the environment entry for every program the harness runs:
// a race-built program sleeps a second on exit unless told not to, and
// the scripts start hundreds of them. Races are still reported.
const RaceEnv = "GORACE=atexit_sleep_ms=0"

// built holds the step binaries, built once per process.
var built struct {
	once  sync.Once
	dir   string   // holds one binary per step, named for its folder
	steps []string // "01-app", "02-middleware", ... in order
	err   error
}

// BuildSteps builds every steps/* program into one folder, once per
// process, and returns the folder and the step names, in order. It reads
// every source file itself: go test caches a pass only against files the
// test opened, so a changed step must be one of them.
func BuildSteps() (dir string, steps []string, err error) {
	built.once.Do(func() {
		var root string
		if root, built.err = Root(); built.err != nil {
			return
		}
		stepsDir := filepath.Join(root, "steps")
		if built.steps, built.err = stepNames(stepsDir); built.err != nil {
			return
		}
		if built.err = ReadTree(stepsDir); built.err != nil {
			return
		}
		if built.dir, built.err = TempDir("tutorial-steps-"); built.err != nil {
			return
		}
		args := append([]string{"build", "-o", built.dir + string(filepath.Separator)}, buildFlags...)
		for _, s := range built.steps {
			args = append(args, "./steps/"+s)
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	return built.dir, built.steps, built.err
}

// Steps is BuildSteps for a test: a build that fails ends the test.
func Steps(t testing.TB) (dir string, steps []string) {
	t.Helper()
	dir, steps, err := BuildSteps()
	if err != nil {
		t.Fatal(err)
	}
	return dir, steps
}

// StepNames lists the folders under the repository's steps/, in order.
func StepNames() ([]string, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	return stepNames(filepath.Join(root, "steps"))
}

func stepNames(stepsDir string) ([]string, error) {
	names, err := Folders(stepsDir)
	if err == nil && len(names) == 0 {
		err = errors.New("no steps found under steps/")
	}
	return names, err
}

// Folders lists the folders in dir, sorted by name.
func Folders(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// ReadTree reads every file below root, so go test's cache depends on them.
func ReadTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
}

// CopyProgram copies a step's program into dst: its files, but not its
// tests, nor its folders (such as testdata/), nor what git ignores (a
// binary left behind).
func CopyProgram(step, dst string) error {
	if err := os.MkdirAll(dst, 0o777); err != nil {
		return err
	}
	entries, err := os.ReadDir(step)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), "_test.go") {
			names = append(names, e.Name())
		}
	}
	ignored := GitIgnored(step, names...)
	for _, name := range names {
		if ignored[name] {
			continue
		}
		data, err := os.ReadFile(filepath.Join(step, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o666); err != nil {
			return err
		}
	}
	return nil
}

// BuildProgram builds the Go files in src (not its tests) into the folder
// out, as the program name, with flags added to the harness's own. A build
// error comes back with the compiler's message.
func BuildProgram(src, out, name string, flags ...string) error {
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		return err
	}
	var sources []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			sources = append(sources, filepath.Base(f))
		}
	}
	if len(sources) == 0 {
		return fmt.Errorf("%s has no Go files to build", src)
	}
	exe := filepath.Join(out, name)
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	args := append(append([]string{"build", "-o", exe}, BuildFlags(flags)...), sources...)
	cmd := exec.Command("go", args...)
	cmd.Dir = src
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s does not build:\n%s", src, msg)
	}
	return nil
}

// BuildFlags returns the harness's build flags and flags, each once.
func BuildFlags(flags []string) []string {
	out := slices.Clone(buildFlags)
	for _, f := range flags {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// GitIgnored returns which of the files called names in dir git ignores,
// as it does a step's binary or a test binary left behind, asking git
// once; without git, nothing is ignored.
func GitIgnored(dir string, names ...string) map[string]bool {
	cmd := exec.Command("git", "-C", dir, "check-ignore", "--stdin", "-z")
	cmd.Stdin = strings.NewReader(strings.Join(names, "\x00"))
	out, _ := cmd.Output() // exit status 1: none of them is ignored
	ignored := map[string]bool{}
	for _, name := range strings.Split(string(out), "\x00") {
		if name != "" {
			ignored[name] = true
		}
	}
	return ignored
}
