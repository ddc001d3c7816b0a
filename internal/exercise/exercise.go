// Package exercise proves the tutorial's exercises and checks a learner's
// copy of one. Each folder of exercises/ holds a task (task.md), the
// check a learner's copy must pass (check.txtar), hints (hints.md), a
// reference solution (solution.txtar), and wrong solutions the check must
// reject (wrong/*.txtar), each a plausible mistake, said in its comment.
// Prove proves them in go test; Check checks a learner's
// copy for go run ./exercises. docs/exercises.md is the maintainer's
// account.
package exercise

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
)

// Dir holds the exercises, one folder each.
const Dir = "exercises"

// Names lists the exercises, in order: the folders of exercises/.
func Names() ([]string, error) { return proc.Folders(Dir) }

// StepOf returns the folder of the step an exercise starts from: the one
// whose number it shares, "01-count" -> steps/01-app.
func StepOf(name string) (string, error) {
	if len(name) < 3 {
		return "", fmt.Errorf("exercise %q: its name starts with its step's number, as 01-count", name)
	}
	matches, err := filepath.Glob(filepath.Join("steps", name[:3]+"*"))
	if err != nil || len(matches) != 1 {
		return "", fmt.Errorf("exercise %s: no single step numbered %s", name, name[:2])
	}
	return matches[0], nil
}

// Task returns an exercise's task, as its task.md words it: one paragraph,
// which TUTORIAL.md's list of the chapter's exercises quotes.
func Task(name string) (string, error) {
	data, err := os.ReadFile(filepath.Join(Dir, name, "task.md"))
	if err != nil {
		return "", err
	}
	task := strings.Join(strings.Fields(string(data)), " ")
	if task == "" {
		return "", fmt.Errorf("%s/%s/task.md is empty", Dir, name)
	}
	return task, nil
}

// buildLineRE finds a check's "# build: FLAGS" line: the flags the
// learner's program is built with, such as -race.
var buildLineRE = regexp.MustCompile(`(?m)^# build: (.*)$`)

// checkFlags returns the build flags check.txtar asks for, those this
// machine can build with, and a note for any it cannot.
func checkFlags(check string) (flags []string, note string, err error) {
	data, err := os.ReadFile(check)
	if err != nil {
		return nil, "", err
	}
	m := buildLineRE.FindSubmatch(data)
	if m == nil {
		return nil, "", nil
	}
	for _, f := range strings.Fields(string(m[1])) {
		if f == "-race" {
			if ok, why := probe.Race(); !ok {
				note = "built without -race: " + why + "; the check's other tests still ran"
				continue
			}
		}
		flags = append(flags, f)
	}
	return flags, note, nil
}

// Prove proves every exercise: it has a task and hints, its check
// fails on the step as shipped and on every one of its wrong solutions,
// and passes on its reference solution.
func Prove(t *testing.T) {
	binDir, _ := proc.Steps(t)
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 9 {
		t.Errorf("%d exercises in %s/, want at least 9", len(names), Dir)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			proveExercise(t, binDir, name)
		})
	}
}

func proveExercise(t *testing.T, binDir, name string) {
	dir := filepath.Join(Dir, name)
	step, err := StepOf(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.ReadTree(dir); err != nil {
		t.Fatal(err)
	}
	if hints, _ := os.ReadFile(filepath.Join(dir, "hints.md")); len(strings.TrimSpace(string(hints))) == 0 {
		t.Errorf("%s/hints.md is missing or empty", dir)
	}
	if _, err := Task(name); err != nil {
		t.Error(err)
	}
	check := filepath.Join(dir, "check.txtar")
	flags, note, err := checkFlags(check)
	if err != nil {
		t.Fatal(err)
	}
	if note != "" {
		t.Log(note)
	}
	wrongs, err := filepath.Glob(filepath.Join(dir, "wrong", "*.txtar"))
	if err != nil || len(wrongs) < 2 {
		t.Errorf("%s/wrong/ holds %d wrong solutions, want two or more: the plausible mistakes its check must reject", dir, len(wrongs))
	}
	for _, w := range wrongs {
		if ar, err := txtar.ParseFile(w); err != nil || len(strings.TrimSpace(string(ar.Comment))) == 0 {
			t.Errorf("%s: say, before its files, what mistake it makes", w)
		}
	}

	// The starting point is the step as shipped: its binary is built.
	if !script.Fails(t, check, binDir, binDir) {
		t.Errorf("%s passes on %s as shipped: the exercise asks for nothing", check, step)
	}

	solution := filepath.Join(dir, "solution.txtar")
	variants := append([]string{solution}, wrongs...)
	prog, srcs, err := buildVariants(step, variants, flags, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(check)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, v := range variants {
		wg.Add(1)
		go func() { // each check waits on servers more than it computes
			defer wg.Done()
			failed, log := script.Run(check, binDir, prog, srcs[i], script.Deadline(t), fmt.Sprintf("%s=%d", variantEnv, i))
			switch {
			case i == 0 && failed:
				t.Errorf("%s fails on the reference solution:\n%s", check, log)
			case i > 0 && !failed:
				t.Errorf("%s passes on the wrong solution %s: it must reject that mistake", check, v)
			case i > 0:
				if problem := summaryProblem(check, string(src), log, Summarize(check, string(src), log)); problem != "" {
					t.Errorf("the summary go run ./exercises check prints for %s %s", v, problem)
				}
			}
		}()
	}
	wg.Wait()
}

// variantEnv names the variant buildVariants' program runs: 0 for the
// first, and so on.
const variantEnv = "TUTORIAL_VARIANT"

// buildVariants applies each of variants (solution.txtar and the like) to
// a copy of step, and builds them all into one program, named for the
// step, in a folder it returns with the folder of each variant's source.
// The program runs the variant $TUTORIAL_VARIANT says. One program, not
// one per variant: a link is what a build of a step costs most, and an
// exercise has a handful of variants. Each variant is the step's package
// main made a package of its own, its main its Main; that changes nothing
// the checks see but the package's name in a stack trace.
func buildVariants(step string, variants []string, flags []string, tmp string) (prog string, srcs []string, err error) {
	mod := filepath.Join(tmp, "variants")
	if err := os.MkdirAll(mod, 0o777); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module variants\n\ngo 1.25\n"), 0o666); err != nil {
		return "", nil, err
	}
	// A workspace of the variants and this repository, whose packages
	// (step 04's paste) the variants import as the step does.
	root, err := filepath.Abs(".")
	if err != nil {
		return "", nil, err
	}
	work := filepath.Join(tmp, "go.work")
	if err := os.WriteFile(work, []byte(fmt.Sprintf("go 1.25\n\nuse (\n\t./variants\n\t%q\n)\n", root)), 0o666); err != nil {
		return "", nil, err
	}
	var imports, cases strings.Builder
	for i, v := range variants {
		pkg := fmt.Sprintf("s%d", i)
		src := filepath.Join(mod, pkg)
		if err := proc.CopyProgram(step, src); err != nil {
			return "", nil, err
		}
		if err := ApplySolution(src, v); err != nil {
			return "", nil, err
		}
		if err := asPackage(src, pkg); err != nil {
			return "", nil, fmt.Errorf("%s: %v", v, err)
		}
		srcs = append(srcs, src)
		fmt.Fprintf(&imports, "\t%q\n", "variants/"+pkg)
		fmt.Fprintf(&cases, "\tcase \"%d\":\n\t\t%s.Main()\n", i, pkg)
	}
	main := fmt.Sprintf("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n%s)\n\nfunc main() {\n\tswitch os.Getenv(%q) {\n%s\tdefault:\n\t\tfmt.Fprintln(os.Stderr, \"set %s to a variant's number\")\n\t\tos.Exit(2)\n\t}\n}\n",
		imports.String(), variantEnv, cases.String(), variantEnv)
	if err := os.WriteFile(filepath.Join(mod, "main.go"), []byte(main), 0o666); err != nil {
		return "", nil, err
	}
	prog = filepath.Join(tmp, "prog")
	exe := filepath.Join(prog, filepath.Base(step))
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	args := append(append([]string{"build", "-o", exe}, proc.BuildFlags(flags)...), ".")
	cmd := exec.Command("go", args...)
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOWORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		var which []string
		for i, v := range variants {
			which = append(which, fmt.Sprintf("s%d is %s", i, v))
		}
		return "", nil, fmt.Errorf("a solution does not build (%s):\n%s", strings.Join(which, ", "), out)
	}
	return prog, srcs, nil
}

var (
	packageMainRE = regexp.MustCompile(`(?m)^package main$`)
	funcMainRE    = regexp.MustCompile(`(?m)^func main\(\) \{`)
)

// asPackage makes the program in dir the package pkg: its package clauses
// say pkg, and its func main is Main.
func asPackage(dir, pkg string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	mains := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out := packageMainRE.ReplaceAllString(string(src), "package "+pkg)
		if funcMainRE.MatchString(out) {
			mains++
			out = funcMainRE.ReplaceAllString(out, "func Main() {")
		}
		if err := os.WriteFile(f, []byte(out), 0o666); err != nil {
			return err
		}
	}
	if mains != 1 {
		return fmt.Errorf("%d func main() in the program, want one", mains)
	}
	return nil
}

// Result is what a check of a learner's copy found.
type Result struct {
	Passed  bool
	Log     string // testscript's log of a failed check, as it prints it; "" if none ran
	Summary string // what the check expected and what came (Summarize), or why the copy did not build
	Note    string // how the program was built, if not as the check asked
}

// Check builds the program in dir, the learner's copy of the
// exercise name's step, and runs the exercise's check on it. A program
// that does not build fails the check, and the compiler's message is the
// summary.
func Check(name, dir string) (Result, error) {
	step, err := StepOf(name)
	if err != nil {
		return Result{}, err
	}
	check := filepath.Join(Dir, name, "check.txtar")
	flags, note, err := checkFlags(check)
	if err != nil {
		return Result{}, err
	}
	binDir, _, err := proc.BuildSteps()
	if err != nil {
		return Result{}, err
	}
	src, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, err
	}
	prog, err := os.MkdirTemp("", "exercise-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(prog)
	if err := proc.BuildProgram(src, prog, filepath.Base(step), flags...); err != nil {
		return Result{Summary: buildDiagnosis(err), Note: note}, nil
	}
	failed, log := script.Run(check, binDir, prog, src, time.Now().Add(script.Limit))
	if !failed {
		return Result{Passed: true, Note: note}, nil
	}
	source, err := os.ReadFile(check)
	if err != nil {
		return Result{}, err
	}
	return Result{Log: log, Summary: Summarize(check, string(source), log), Note: note}, nil
}

// buildDiagnosis is what a failed build of a learner's copy says: the
// compiler's messages, without go build's heading line.
func buildDiagnosis(err error) string {
	var b strings.Builder
	b.WriteString("Your program does not build. go build says:\n")
	_, msg, _ := strings.Cut(err.Error(), "\n") // "DIR does not build:"
	for _, line := range strings.Split(strings.TrimSpace(msg), "\n") {
		if !strings.HasPrefix(line, "# ") {
			b.WriteString("\t" + line + "\n")
		}
	}
	return b.String()
}

// ApplySolution applies a solution.txtar to a copy of a step: a file
// named "F: find" and the "F: replace" after it replace that text, which
// must occur once in F; any other file is written as it is.
func ApplySolution(dir, solution string) error {
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
