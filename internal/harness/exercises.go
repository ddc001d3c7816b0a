package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// The exercises: each folder of exercises/ holds a task's check script
// (check.txtar), its hints (hints.md) and a reference solution
// (solution.txtar). ProveExercises proves them in go test; CheckExercise
// checks a learner's copy for go run ./exercises.

// ExercisesDir holds the exercises, one folder each.
const ExercisesDir = "exercises"

// ExerciseNames lists the exercises, in order: the folders of exercises/.
func ExerciseNames() ([]string, error) { return folders(ExercisesDir) }

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

// ProveExercises proves every exercise: it has hints, its starting point
// (the step as shipped) fails its check, and its reference solution
// passes it.
func ProveExercises(t *testing.T) {
	binDir, _ := Steps(t)
	names, err := ExerciseNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 9 {
		t.Errorf("%d exercises in %s/, want at least 9", len(names), ExercisesDir)
	}
	for _, name := range names {
		dir := filepath.Join(ExercisesDir, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			step, err := StepOf(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := readTree(dir); err != nil {
				t.Fatal(err)
			}
			if hints, _ := os.ReadFile(filepath.Join(dir, "hints.md")); len(strings.TrimSpace(string(hints))) == 0 {
				t.Errorf("%s/hints.md is missing or empty", dir)
			}

			// The starting point is the step as shipped: its binary is built.
			check := filepath.Join(dir, "check.txtar")
			if !scriptFails(t, check, binDir, binDir) {
				t.Errorf("%s passes on %s as shipped: the exercise asks for nothing", check, step)
			}

			solved := t.TempDir()
			if err := CopyProgram(step, solved); err != nil {
				t.Fatal(err)
			}
			if err := ApplySolution(solved, filepath.Join(dir, "solution.txtar")); err != nil {
				t.Fatal(err)
			}
			prog := t.TempDir()
			if err := BuildProgram(solved, prog, filepath.Base(step)); err != nil {
				t.Fatal(err)
			}
			if failed, log := runScript(check, binDir, prog, deadline(t)); failed {
				t.Errorf("%s fails on the reference solution:\n%s", check, log)
			}
		})
	}
}

// checkLimit bounds one check of a learner's program.
const checkLimit = 2 * time.Minute

// CheckExercise builds the program in dir, the learner's copy of the
// exercise name's step, and runs the exercise's check on it. It reports
// whether the check passed, and if not, what went wrong, in the words
// Diagnose gives it. A program that does not build is a failed check, and
// the compiler's message is the diagnosis.
func CheckExercise(name, dir string) (passed bool, diagnosis string, err error) {
	step, err := StepOf(name)
	if err != nil {
		return false, "", err
	}
	binDir, _, err := BuildSteps()
	if err != nil {
		return false, "", err
	}
	prog, err := os.MkdirTemp("", "exercise-")
	if err != nil {
		return false, "", err
	}
	defer os.RemoveAll(prog)
	if err := BuildProgram(dir, prog, filepath.Base(step)); err != nil {
		return false, err.Error(), nil
	}
	check := filepath.Join(ExercisesDir, name, "check.txtar")
	failed, log := runScript(check, binDir, prog, time.Now().Add(checkLimit))
	if !failed {
		return true, "", nil
	}
	return false, Diagnose(log), nil
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

// Diagnose turns a failed script's log into what a learner needs: the
// command the check ran, what it printed, and what the check wanted
// instead, in plain words, without testscript's line prefixes. A diff is
// shown, and explained, only when the check compared whole outputs.
func Diagnose(log string) string {
	var (
		ran, assertion, failure string
		output                  []string // the last command's [stdout] and [stderr]
		diff                    []string
		inDiff, inBackground    bool
		block                   *[]string
	)
	for _, line := range strings.Split(strings.TrimRight(log, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			cmd := strings.TrimPrefix(line, "> ")
			block, inDiff, inBackground = nil, false, false
			if isCommand(cmd) {
				ran, output, diff = commandLine(cmd), nil, nil
			} else {
				assertion = cmd
			}
		case strings.HasPrefix(line, "FAIL: "):
			failure, block, inDiff = strings.TrimPrefix(line, "FAIL: "), nil, false
		case strings.HasPrefix(line, "[background] "):
			block, inBackground = nil, true // a server's exit, after the failure
		case inBackground:
		case line == "[stdout]" || line == "[stderr]":
			output = append(output, map[string]string{"[stdout]": "It printed:", "[stderr]": "On stderr:"}[line])
			block = &output
		case strings.HasPrefix(line, "diff "):
			inDiff, block = true, nil
		case inDiff:
			diff = append(diff, line)
		case block != nil:
			*block = append(*block, "\t"+line)
		}
	}
	var b strings.Builder
	if ran != "" {
		fmt.Fprintf(&b, "The check ran:\n\t%s\n", ran)
	}
	for _, line := range output {
		b.WriteString(line + "\n")
	}
	if len(diff) > 0 {
		b.WriteString("The diff: lines with - are what your program printed, lines with + what the check expects.\n")
		for _, line := range diff {
			b.WriteString("\t" + line + "\n")
		}
	}
	where, msg, _ := strings.Cut(failure, ": ")
	if want := wanted(assertion); want != "" && len(diff) == 0 {
		msg = "the check wanted " + want
	}
	if failure != "" {
		fmt.Fprintf(&b, "What failed: %s\n(%s)\n", msg, where)
	}
	if strings.Contains(ran+assertion, "$ADDR") {
		b.WriteString("($ADDR is the address the check ran your server on.)\n")
	}
	return b.String()
}

// isCommand reports whether a script line runs a program, rather than
// checking what one printed.
func isCommand(line string) bool {
	fields := strings.Fields(line)
	return len(fields) > 0 && (fields[0] == "exec" || fields[0] == "exits" || fields[0] == "!" && len(fields) > 1 && fields[1] == "exec")
}

// commandLine is a script's command as a shell user types it.
func commandLine(line string) string {
	fields := strings.Fields(strings.TrimPrefix(line, "! "))
	switch fields[0] {
	case "exec":
		fields = fields[1:]
	case "exits":
		fields = fields[2:]
	}
	if n := len(fields); n > 0 && strings.HasPrefix(fields[n-1], "&") {
		fields = fields[:n-1] // a server started in the background
	}
	return strings.Join(fields, " ")
}

// wanted says in words what an assertion line asks for, or "".
func wanted(assertion string) string {
	fields := strings.Fields(assertion)
	neg := len(fields) > 0 && fields[0] == "!"
	if neg {
		fields = fields[1:]
	}
	if len(fields) < 2 || (fields[0] != "stdout" && fields[0] != "stderr") {
		return ""
	}
	what := map[string]string{"stdout": "its output", "stderr": "its stderr"}[fields[0]]
	pattern := strings.Join(fields[1:], " ")
	if neg {
		return fmt.Sprintf("%s not to match %s", what, pattern)
	}
	return fmt.Sprintf("%s to match %s", what, pattern)
}
