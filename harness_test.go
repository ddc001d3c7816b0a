// The harness: it builds every step once, then runs the testscript scripts
// in testdata/ against the real binaries, as a learner runs them.
//
//	go test ./...                        every script and check
//	go test -run TestScripts/01-app      one step's scripts
//	go test . -update                    rewrite expected output, then TUTORIAL.md
//	TUTORIAL_CURL=real go test ./...     the same scripts with the system curl
package tutorial

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite expected output in testdata/*.txtar and excerpts in TUTORIAL.md")

// waitLimit bounds every wait a script makes: for a port, a process, a reply.
const waitLimit = 10 * time.Second

// buildFlags are added to every step's go build; race_test.go adds -race.
var buildFlags []string

func TestMain(m *testing.M) {
	// Main runs the test binary as "curl" when a script calls curl, and runs
	// the tests otherwise. It exits by itself, so cleanup hooks into m.Run.
	testscript.Main(cleanupAfter{m}, map[string]func(){
		"curl": curlMain,
	})
}

// cleanupAfter runs the tests, then removes what buildSteps built.
type cleanupAfter struct{ m *testing.M }

func (c cleanupAfter) Run() int {
	code := c.m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

// built holds the step binaries, built once per go test run.
var built struct {
	once  sync.Once
	dir   string   // holds one binary per step, named for its folder
	steps []string // "01-app", "02-middleware", ... in order
	err   error
}

// buildSteps builds every steps/* program into one folder, once, and returns
// the folder and the step names. It reads every source file itself: go test
// caches a pass only against files the test opened, so a changed step must
// be one of them.
func buildSteps(t *testing.T) (dir string, steps []string) {
	t.Helper()
	built.once.Do(func() {
		built.steps, built.err = stepNames()
		if built.err != nil {
			return
		}
		if built.err = readTree("steps"); built.err != nil {
			return
		}
		built.dir, built.err = os.MkdirTemp("", "tutorial-steps-")
		if built.err != nil {
			return
		}
		args := append([]string{"build", "-o", built.dir + string(filepath.Separator)}, buildFlags...)
		for _, s := range built.steps {
			args = append(args, "./steps/"+s)
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir, built.steps
}

// stepNames lists the folders under steps/, in order.
func stepNames() ([]string, error) {
	entries, err := os.ReadDir("steps")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no steps found under steps/")
	}
	return names, nil
}

// readTree reads every file below root, so go test's cache depends on them.
func readTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
}

func TestScripts(t *testing.T) {
	binDir, _ := buildSteps(t)
	t.Cleanup(func() { // after every script has run
		if t.Failed() {
			t.Logf("If a step's new output is right, run: %s", updateCommand)
		}
	})
	testscript.Run(t, scriptParams(binDir, "testdata"))
}

// scriptParams configures testscript for the scripts in dir.
func scriptParams(binDir, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Deadline:            time.Now().Add(5 * time.Minute),
		Condition:           implementation(false),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("TUTORIAL_CURL", os.Getenv("TUTORIAL_CURL"))
			addr, err := freeAddr()
			if err != nil {
				return err
			}
			env.Setenv("ADDR", addr)
			repo, err := os.Getwd() // go test runs in the repository's root
			if err != nil {
				return err
			}
			env.Setenv("REPO", repo)
			env.Values[inflightKey{}] = map[string]*pending{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfor": cmdWaitfor,
			"exits":   cmdExits,
			"replace": cmdReplace,
			// servercmds_test.go
			"inflight":   cmdInflight,
			"await":      cmdAwait,
			"signal":     cmdSignal,
			"slowclient": cmdSlowclient,
			"mkfile":     cmdMkfile,
			"mkcert":     cmdMkcert,
		},
	}
}

// freeAddr returns a loopback address that nothing listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cmdWaitfor implements "waitfor ADDR": it polls until something accepts
// connections on ADDR, for waitLimit at most. "! waitfor ADDR" waits for
// the opposite: a server that has stopped accepting. "waitfor URL TEXT"
// polls until a GET of URL answers with a body containing TEXT.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	switch {
	case len(args) == 2 && !neg:
		cmdWaitforBody(ts, args[0], args[1])
		return
	case len(args) != 1:
		ts.Fatalf("usage: [!] waitfor host:port, or waitfor url text")
	case neg:
		cmdWaitforClosed(ts, args[0])
		return
	}
	addr := args[0]
	var err error
	ok := pollFor(func() bool {
		if err = connect(addr); err == nil {
			return true
		}
		for _, cmd := range ts.BackgroundCmds() {
			if errors.Is(cmd.Process.Signal(syscall.Signal(0)), os.ErrProcessDone) {
				ts.Fatalf("waitfor: %s exited before anything accepted connections on %s\n"+
					"(its stderr is shown below)", filepath.Base(cmd.Path), addr)
			}
		}
		return false
	})
	if !ok {
		ts.Fatalf("waitfor: nothing accepted connections on %s within %v: %v\n"+
			"(did the server start? its stderr is shown when the script ends)", addr, waitLimit, err)
	}
}

// pollFor calls done every 10ms until it reports true, for waitLimit at
// most, and reports whether it did: the one bounded poll every wait uses.
func pollFor(done func() bool) bool {
	deadline := time.Now().Add(waitLimit)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // the poll interval, not a synchronisation
	}
}

// connect opens and closes a connection to addr: nil if something
// accepts connections there now.
func connect(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
	}
	return err
}

// cmdExits implements "exits N PROGRAM [ARGS...]": it runs PROGRAM, for
// waitLimit at most, and requires exit status N. Its output becomes the
// script's stdout and stderr, as with exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits STATUS program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: status %q is not a number", args[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	path, err := lookPath(ts, args[1])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	cmd := exec.CommandContext(ctx, path, args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = scriptEnv(ts)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	got := cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		ts.Fatalf("exits: %s still running after %v", args[1], waitLimit)
	case err != nil && !errors.As(err, &exitErr):
		ts.Fatalf("exits: %v", err)
	case got != want:
		ts.Fatalf("exits: %s exited with status %d, want %d", args[1], got, want)
	}
}

// scriptEnv is the environment a script gives to the programs it runs.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, name := range []string{"PATH", "HOME", "TMPDIR", "WORK", "ADDR", "REPO", "TUTORIAL_CURL", "TUTORIAL_IMPL"} {
		env = append(env, name+"="+ts.Getenv(name))
	}
	return env
}

// lookPath finds program on the script's PATH, as exec does.
func lookPath(ts *testscript.TestScript, program string) (string, error) {
	if strings.ContainsRune(program, filepath.Separator) {
		return program, nil
	}
	if runtime.GOOS == "windows" {
		program += ".exe"
	}
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		path := filepath.Join(dir, program)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: not found on the script's PATH", program)
}

// cmdReplace implements "replace stdout|stderr REGEXP REPLACEMENT": it
// rewrites every match in the last command's output with the literal
// REPLACEMENT, so values that change on every run (request ids, timings)
// can be compared exactly. It fails if nothing matches, so a value that
// went missing is never hidden.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || (args[0] != "stdout" && args[0] != "stderr") {
		ts.Fatalf("usage: replace stdout|stderr regexp replacement")
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("replace: %v", err)
	}
	stdout, stderr := ts.ReadFile("stdout"), ts.ReadFile("stderr")
	text := &stdout
	if args[0] == "stderr" {
		text = &stderr
	}
	if !re.MatchString(*text) {
		ts.Fatalf("replace: no match for %s in %s", args[1], args[0])
	}
	*text = re.ReplaceAllLiteralString(*text, args[2])
	io.WriteString(ts.Stdout(), stdout)
	io.WriteString(ts.Stderr(), stderr)
}
