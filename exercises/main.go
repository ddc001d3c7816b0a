// Command exercises seeds, checks and resets the tutorial's exercises.
// Your work lives in _work/, which git ignores: the steps stay untouched.
//
//	go run ./exercises list               every exercise, and your progress
//	go run ./exercises start NAME         copy NAME's step into _work/NAME, and say the task
//	go run ./exercises check [NAME]       check one, or all in order
//	go run ./exercises check -watch NAME  check again on every save
//	go run ./exercises hint NAME [N]      the next hint, or hint N
//	go run ./exercises reset NAME         start NAME over, keeping your copy beside it
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"wsgi-to-go/internal/exercise"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
)

// workDir holds the learner's copies, one folder per exercise.
const workDir = "_work"

// main runs the command line through the harness, which also lets a
// check's scripts run this program as their curl.
func main() { script.Main(commandLine{}) }

// commandLine is the runner's command line: its Run returns the exit
// status.
type commandLine struct{}

func (commandLine) Run() int {
	if _, err := os.Stat("go.mod"); err != nil {
		return fail(2, "run me from the repository's root: go run ./exercises ...")
	}
	if len(os.Args) < 2 {
		return fail(2, usage)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "list":
		err = list()
	case "start":
		err = withName(args, start)
	case "reset":
		err = withName(args, reset)
	case "hint":
		err = hint(args)
	case "check":
		err = check(args)
	default:
		return fail(2, fmt.Sprintf("unknown command %q: %s", cmd, usage))
	}
	if err != nil {
		return fail(1, err.Error())
	}
	return 0
}

// usage is the runner's command line, in one line.
const usage = "usage: go run ./exercises list|start NAME|check [-watch] [NAME]|hint NAME [N]|reset NAME"

// fail prints msg and returns code, the exit status.
func fail(code int, msg string) int {
	fmt.Fprintln(os.Stderr, "exercises:", msg)
	return code
}

// names lists the exercises, in order.
func names() ([]string, error) { return exercise.Names() }

// withName runs f with the one exercise name args must hold.
func withName(args []string, f func(name string) error) error {
	if len(args) != 1 {
		return errors.New("want one exercise name; go run ./exercises list shows them")
	}
	return known(args[0], f)
}

// known runs f if name is an exercise.
func known(name string, f func(name string) error) error {
	if _, err := os.Stat(filepath.Join("exercises", name, "check.txtar")); err != nil {
		return fmt.Errorf("no exercise %q; go run ./exercises list shows them", name)
	}
	return f(name)
}

// passedFile marks an exercise whose last check passed.
func passedFile(name string) string { return filepath.Join(workDir, name, ".passed") }

func list() error {
	all, err := names()
	if err != nil {
		return err
	}
	done := 0
	for _, name := range all {
		state := "not started"
		if _, err := os.Stat(filepath.Join(workDir, name)); err == nil {
			state = "started"
		}
		if _, err := os.Stat(passedFile(name)); err == nil {
			state, done = "done", done+1
		}
		fmt.Printf("%-24s %s\n", name, state)
	}
	fmt.Printf("progress: %d/%d done\n", done, len(all))
	return nil
}

func start(name string) error {
	dst := filepath.Join(workDir, name)
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists already: edit it, or go run ./exercises reset %s to start over", dst, name)
	}
	step, err := exercise.StepOf(name)
	if err != nil {
		return err
	}
	task, err := exercise.Task(name)
	if err != nil {
		return err
	}
	if err := proc.CopyProgram(step, dst); err != nil {
		return err
	}
	fmt.Printf("copied %s into %s: edit it there, and run it with go run ./%s\n\n", step, dst, filepath.ToSlash(dst))
	fmt.Printf("%s: %s\n\n", name, task)
	fmt.Printf("check your work with: go run ./exercises check %s\n", name)
	return nil
}

// reset moves the learner's copy aside, to _work/NAME.N, the first such
// folder free, and starts the exercise again.
func reset(name string) error {
	dir := filepath.Join(workDir, name)
	if dirExists(dir) {
		kept := ""
		for n := 1; kept == ""; n++ {
			if p := fmt.Sprintf("%s.%d", dir, n); !exists(p) {
				kept = p
			}
		}
		if err := os.Rename(dir, kept); err != nil {
			return err
		}
		fmt.Printf("your copy is now in %s\n", filepath.ToSlash(kept))
	}
	return start(name)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// hints returns an exercise's hints, gentlest first: hints.md's
// paragraphs, split at lines of ---.
func hints(name string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join("exercises", name, "hints.md"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range strings.Split(string(data), "\n---\n") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

// hintLevel is how many hints the learner has seen, kept in _work/NAME.
func hintLevel(name string) int {
	data, _ := os.ReadFile(filepath.Join(workDir, name, ".hints"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

func hint(args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: go run ./exercises hint NAME [N]")
	}
	return known(args[0], func(name string) error {
		all, err := hints(name)
		if err != nil {
			return err
		}
		n := hintLevel(name) + 1
		if len(args) == 2 {
			if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
				return fmt.Errorf("hint %q: want a number from 1 to %d", args[1], len(all))
			}
		}
		n = min(n, len(all))
		fmt.Printf("hint %d of %d for %s:\n\n%s\n", n, len(all), name, all[n-1])
		if n < len(all) {
			fmt.Printf("\nstill stuck? go run ./exercises hint %s\n", name)
		} else {
			fmt.Printf("\nthat was the last hint; the reference solution is in %s\n",
				filepath.Join("exercises", name, "solution.txtar"))
		}
		setHintLevel(name, n)
		return nil
	})
}

// setHintLevel records, in _work/NAME, that the learner has seen hint n.
func setHintLevel(name string, n int) {
	if dir := filepath.Join(workDir, name); dirExists(dir) {
		os.WriteFile(filepath.Join(dir, ".hints"), []byte(strconv.Itoa(n)), 0o666)
	}
}

func dirExists(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.IsDir()
}

func check(args []string) error {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	watch := flags.Bool("watch", false, "check again whenever a file in _work/NAME changes")
	if err := flags.Parse(args); err != nil {
		return errors.New("usage: go run ./exercises check [-watch] [NAME]")
	}
	all, err := names()
	if err != nil {
		return err
	}
	todo := all
	if flags.NArg() == 1 {
		if err := known(flags.Arg(0), func(string) error { return nil }); err != nil {
			return err
		}
		todo = []string{flags.Arg(0)}
	} else if flags.NArg() > 1 {
		return errors.New("usage: go run ./exercises check [-watch] [NAME]")
	}
	if *watch {
		if len(todo) != 1 {
			return errors.New("-watch checks one exercise: go run ./exercises check -watch NAME")
		}
		return watchLoop(todo[0])
	}
	for _, name := range todo {
		if !checkOne(name) {
			progress(all)
			return fmt.Errorf("%s does not pass yet", name) // in order: stop here
		}
	}
	progress(all)
	return nil
}

// progress prints how many exercises pass.
func progress(all []string) {
	done := 0
	for _, name := range all {
		if _, err := os.Stat(passedFile(name)); err == nil {
			done++
		}
	}
	fmt.Printf("progress: %d/%d done\n", done, len(all))
}

// checkOne runs name's check on _work/NAME, prints the result, and
// reports whether it passed.
func checkOne(name string) bool {
	dir := filepath.Join(workDir, name)
	if !dirExists(dir) {
		fmt.Printf("%s: not started. Start it with: go run ./exercises start %s\n", name, name)
		return false
	}
	os.Remove(passedFile(name))
	result, err := exercise.Check(name, dir)
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", name, err)
		return false
	}
	if result.Note != "" {
		fmt.Printf("(%s)\n", result.Note)
	}
	if result.Passed {
		os.WriteFile(passedFile(name), nil, 0o666)
		fmt.Printf("PASS %s\n", name)
		return true
	}
	// testscript's log as it printed it, then the summary, which the hint ends.
	fmt.Printf("FAIL %s\n\n%s%s", name, result.Log, result.Summary)
	hintAfterCheck(name)
	return false
}

// hintAfterCheck shows, after a failed check, the hint the learner last
// saw, or the first, and records it as seen: hint NAME goes on from there,
// and never shows it again.
func hintAfterCheck(name string) {
	all, err := hints(name)
	if err != nil || len(all) == 0 {
		return
	}
	n := max(hintLevel(name), 1)
	fmt.Printf("hint %d of %d: %s\n", n, len(all), all[n-1])
	setHintLevel(name, n)
	if n < len(all) {
		fmt.Printf("(the next hint: go run ./exercises hint %s)\n", name)
	}
}

// watchLoop checks name now and again after every change to its files,
// polling (inotify misses changes on WSL and network folders), until
// Ctrl-C.
func watchLoop(name string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	last := ""
	for ctx.Err() == nil {
		stamp, err := snapshot(filepath.Join(workDir, name))
		if err != nil {
			return err
		}
		if stamp != last {
			last = stamp
			checkOne(name)
			fmt.Printf("watching %s/%s for changes; Ctrl-C to stop\n", workDir, name)
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond): // the poll interval
		}
	}
	return nil
}

// snapshot sums up the names, sizes and times of a folder's Go files.
func snapshot(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".ini") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return b.String(), err
}
