package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"wsgi-to-go/internal/exercise"
	"wsgi-to-go/internal/script"
)

// TestMain lets the checks' scripts run this test binary as their curl.
func TestMain(m *testing.M) { script.Main(m) }

// TestExercises proves every exercise: its check fails on the step as
// shipped and on each of its wrong solutions, and passes on its reference
// solution. It lives with the runner, so that go test caches its result
// until a step, an exercise or the harness changes.
func TestExercises(t *testing.T) {
	t.Chdir("..") // the exercises and the steps are found from the repository's root
	exercise.Prove(t)
}

// TestShippedExercises checks what the runner reads of every exercise: a
// ladder of at least two hints, and one step to start from.
func TestShippedExercises(t *testing.T) {
	t.Chdir("..") // the runner works from the repository's root
	all, err := names()
	if err != nil || len(all) == 0 {
		t.Fatalf("no exercises (%v)", err)
	}
	for _, name := range all {
		h, err := hints(name)
		if err != nil || len(h) < 2 {
			t.Errorf("%s: %d hints (%v), want a ladder of two or more", name, len(h), err)
		}
		if _, err := exercise.StepOf(name); err != nil {
			t.Error(err)
		}
	}
}

// fakeRepo makes a repository-shaped folder with one step and one
// exercise, and runs the test from it.
func fakeRepo(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for path, data := range map[string]string{
		"go.mod":                            "module fake\n",
		"steps/01-app/main.go":              "package main\n",
		"steps/01-app/main_test.go":         "package main\n",
		"exercises/01-task/check.txtar":     "exec true\n",
		"exercises/01-task/hints.md":        "gentle\n---\nspecific\n",
		"exercises/01-task/task.md":         "make it `greet` twice.\n",
		"exercises/01-task/solution.txtar":  "",
		"exercises/02-other/check.txtar":    "",
		"exercises/02-other/hints.md":       "only one\n",
		"exercises/02-other/task.md":        "another.\n",
		"exercises/02-other/solution.txtar": "",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// stdout runs f and returns what it printed.
func stdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	f()
	os.Stdout = saved
	w.Close()
	return string(<-done)
}

func TestStartSaysTheTask(t *testing.T) {
	fakeRepo(t)
	out := stdout(t, func() {
		if err := withName([]string{"01-task"}, start); err != nil {
			t.Fatal(err)
		}
	})
	for _, want := range []string{
		"copied steps/01-app into _work/01-task: edit it there, and run it with go run ./_work/01-task\n",
		"\n01-task: make it `greet` twice.\n",
		"go run ./exercises check 01-task\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("start printed\n%s\nwant it to hold %q", out, want)
		}
	}
}

func TestResetKeepsTheCopy(t *testing.T) {
	fakeRepo(t)
	withName([]string{"01-task"}, start)
	copied := filepath.Join(workDir, "01-task", "main.go")
	for n := 1; n <= 2; n++ {
		os.WriteFile(copied, []byte("package main // edit "+strconv.Itoa(n)+"\n"), 0o666)
		out := stdout(t, func() {
			if err := withName([]string{"01-task"}, reset); err != nil {
				t.Fatal(err)
			}
		})
		kept := fmt.Sprintf("_work/01-task.%d", n)
		if !strings.HasPrefix(out, "your copy is now in "+kept+"\n") {
			t.Errorf("reset %d printed\n%s\nwant it to say where the copy went, %s", n, out, kept)
		}
		if data, _ := os.ReadFile(filepath.Join(kept, "main.go")); !strings.Contains(string(data), "edit "+strconv.Itoa(n)) {
			t.Errorf("reset %d: %s/main.go is %q, want the edited copy", n, kept, data)
		}
		if data, _ := os.ReadFile(copied); string(data) != "package main\n" {
			t.Errorf("after reset %d, main.go is %q, want the step's", n, data)
		}
	}
}

func TestHintGoesOnAfterCheck(t *testing.T) {
	fakeRepo(t)
	withName([]string{"01-task"}, start)
	if out := stdout(t, func() { hintAfterCheck("01-task") }); !strings.HasPrefix(out, "hint 1 of 2: gentle\n") {
		t.Errorf("a failed check's hint:\n%s", out)
	}
	out := stdout(t, func() { hint([]string{"01-task"}) })
	if !strings.HasPrefix(out, "hint 2 of 2 for 01-task:\n\nspecific\n") {
		t.Errorf("hint after a failed check repeats what it showed, or skips:\n%s", out)
	}
	if out := stdout(t, func() { hintAfterCheck("01-task") }); !strings.HasPrefix(out, "hint 2 of 2: specific\n") {
		t.Errorf("a later failed check shows\n%s\nwant the hint last seen", out)
	}
}

func TestUsageListsEveryCommand(t *testing.T) {
	for _, want := range []string{"list", "start NAME", "check [-watch] [NAME]", "hint NAME [N]", "reset NAME"} {
		if !strings.Contains(usage, want) {
			t.Errorf("the usage line %q lacks %q", usage, want)
		}
	}
}

func TestStartAndReset(t *testing.T) {
	fakeRepo(t)
	if err := withName([]string{"01-task"}, start); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(workDir, "01-task", "main.go")
	if _, err := os.Stat(copied); err != nil {
		t.Errorf("start did not copy the step's program: %v", err)
	}
	if _, err := os.Stat(filepath.Join(workDir, "01-task", "main_test.go")); err == nil {
		t.Error("start copied the step's tests too")
	}
	err := withName([]string{"01-task"}, start)
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("a second start: %v, want an error that points to reset", err)
	}
	os.WriteFile(copied, []byte("package main // edited\n"), 0o666)
	if err := withName([]string{"01-task"}, reset); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(copied); string(data) != "package main\n" {
		t.Errorf("after reset, main.go is %q, want the step's", data)
	}
}

func TestUnknownNames(t *testing.T) {
	fakeRepo(t)
	for _, args := range [][]string{{"99-nope"}, {}, {"01-task", "extra"}} {
		if err := withName(args, start); err == nil {
			t.Errorf("start %q: no error", args)
		}
	}
	if err := hint([]string{"01-task", "zero"}); err == nil {
		t.Error("hint 01-task zero: no error")
	}
	if err := check([]string{"-watch"}); err == nil {
		t.Error("check -watch with no name: no error")
	}
}

func TestHintLadder(t *testing.T) {
	fakeRepo(t)
	withName([]string{"01-task"}, start)
	h, err := hints("01-task")
	if err != nil || len(h) != 2 || h[0] != "gentle" || h[1] != "specific" {
		t.Fatalf("hints = %q, %v; want gentle, specific", h, err)
	}
	for want := 1; want <= 3; want++ {
		if err := hint([]string{"01-task"}); err != nil {
			t.Fatal(err)
		}
		if got := hintLevel("01-task"); got != min(want, 2) {
			t.Errorf("after %d hints, level %d, want %d (it stops at the last)", want, got, min(want, 2))
		}
	}
}

// TestLastHintPointsToTheSolution: after the last hint, the learner is
// told where the reference solution is, not left with nothing more.
func TestLastHintPointsToTheSolution(t *testing.T) {
	fakeRepo(t)
	withName([]string{"01-task"}, start)
	first := stdout(t, func() { hint([]string{"01-task", "1"}) })
	last := stdout(t, func() { hint([]string{"01-task", "2"}) })
	solution := filepath.Join("exercises", "01-task", "solution.txtar")
	if strings.Contains(first, solution) || !strings.Contains(first, "still stuck?") {
		t.Errorf("hint 1 of 2 said:\n%s\nwant the way to the next hint, not the solution", first)
	}
	if !strings.Contains(last, solution) {
		t.Errorf("the last hint said:\n%s\nwant the path of the reference solution, %s", last, solution)
	}
}

func TestCheckNotStarted(t *testing.T) {
	fakeRepo(t)
	if checkOne("01-task") {
		t.Error("an exercise not started passed its check")
	}
	if err := check(nil); err == nil || !strings.Contains(err.Error(), "01-task") {
		t.Errorf("check of all: %v, want it to stop at 01-task", err)
	}
}

func TestSnapshotSeesEdits(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	os.WriteFile(file, []byte("package main\n"), 0o666)
	before, err := snapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte("package main\n\n// edited\n"), 0o666)
	after, _ := snapshot(dir)
	if before == after {
		t.Error("snapshot did not change after an edit")
	}
}
