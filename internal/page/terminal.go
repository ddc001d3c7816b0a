//go:build unix

package page

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/proc"
)

// A page's terminal, and the commands a page's script waits on it with.
// The terminal writes all its command has shown so far to the file
// $WALK_TERMINALS/NAME, raw, with pressed, at each Ctrl-C it got, and
// ended once the command has ended: shown reads it as the page shows it.
const (
	pressed = "\x03" // the byte a terminal's Ctrl-C sends
	ended   = "\x04"
)

// Programs returns the programs a page's script runs, for script.Main:
// the terminal.
func Programs() map[string]func() { return map[string]func(){"terminal": terminalMain} }

// terminalMain is "terminal [-limit D] NAME COMMAND": it runs sh -c COMMAND
// in a process group of its own, its stdout and stderr one stream, as a
// terminal runs a job. At a SIGINT it sends one to the group. Once the
// command ends, it kills what is left of the group and prints what the
// terminal showed, normalised. With -limit, the page shows the command
// ending: a command still running after D, or one that listens, is
// stopped, and the terminal fails, saying so.
func terminalMain() {
	limit := flag.Duration("limit", 0, "stop the command, and fail, if it still runs after this long")
	flag.Parse()
	name := filepath.Join(os.Getenv("WALK_TERMINALS"), flag.Arg(0))
	file, err := os.Create(name)
	if err != nil || flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: terminal [-limit D] NAME COMMAND:", err)
		os.Exit(2)
	}
	pr, pw, _ := os.Pipe()
	cmd := exec.Command("sh", "-c", flag.Arg(1))
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "terminal:", err)
		os.Exit(2)
	}
	pw.Close()
	group := -cmd.Process.Pid
	os.WriteFile(name+".pid", []byte(fmt.Sprint(group)), 0o666)
	out := &screen{file: file, listens: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for n, err := pr.Read(buf); err == nil; n, err = pr.Read(buf) {
			out.write(string(buf[:n]))
		}
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var timeout <-chan time.Time
	listens := make(chan struct{}) // never closed: no -limit, no check
	if *limit > 0 {
		timeout, listens = time.After(*limit), out.listens
	}
	complaint := ""
	for done := false; !done; {
		select {
		case <-interrupts:
			out.write(pressed)
			syscall.Kill(group, syscall.SIGINT)
		case <-timeout:
			complaint = fmt.Sprintf("still running after %v, and not listening: a command on the page must end, or be a server that prints %q; stopped it", *limit, listeningPrefix+"...")
			syscall.Kill(group, syscall.SIGKILL)
		case <-listens:
			complaint, listens = "it is a server: it prints "+listeningPrefix+"... and runs on, where the page shows it ending; stopped it", nil
			syscall.Kill(group, syscall.SIGKILL)
		case <-exited:
			done = true
		}
	}
	syscall.Kill(group, syscall.SIGKILL) // what is left of its group
	<-copied
	os.Remove(name + ".pid")
	os.Stdout.WriteString(shown(out.String()+ended, regexp.MustCompile(`:`+os.Getenv("WALK_PORT")+`\b`)))
	out.write(ended)
	if complaint != "" {
		fmt.Fprintln(os.Stderr, complaint)
		os.Exit(1)
	}
}

// screen is what a terminal has shown: in memory, and in its file.
type screen struct {
	mu      sync.Mutex
	b       strings.Builder
	file    *os.File
	listens chan struct{} // closed once it shows a listening line
}

func (s *screen) write(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(text)
	s.file.WriteString(text)
	if s.listens != nil && hasListeningLine(s.b.String()) {
		close(s.listens)
		s.listens = nil
	}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// shown is what a terminal's raw record shows: what came between the
// Ctrl-Cs normalised, each Ctrl-C echoed as ^C where the next output
// begins, and after a last ^C that nothing followed, the shell's prompt
// on the next line.
func shown(raw string, port *regexp.Regexp) string {
	raw, end := strings.CutSuffix(raw, ended)
	parts := strings.Split(raw, pressed)
	for i := range parts {
		parts[i] = walkNormalize(parts[i], port)
	}
	if end && len(parts) > 1 && parts[len(parts)-1] == "" {
		parts[len(parts)-1] = "\n"
	}
	return strings.Join(parts, interrupt)
}

// terminalCmds are the page's script's own commands: shows, ends, passes.
var terminalCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"shows": cmdShows, "ends": cmdEnds, "passes": cmdPasses,
}

// screenOf reads what terminal name has shown, and whether its command ended.
func screenOf(ts *testscript.TestScript, name string) (string, bool) {
	raw, _ := os.ReadFile(filepath.Join(ts.Getenv("WALK_TERMINALS"), name))
	return shown(string(raw), regexp.MustCompile(`:`+ts.Getenv("WALK_PORT")+`\b`)), strings.HasSuffix(string(raw), ended)
}

// cmdShows is "shows [-start] [-limit D] NAME FILE": it waits until
// terminal NAME shows what FILE holds, or has ended, and prints what it
// shows then, for a cmp. It waits D at most (WALK_WAIT by default) for a
// listening line, and WALK_WAIT after it. With -start, it waits for the
// start of FILE, whole lines, and fails if the command has ended.
func cmdShows(ts *testscript.TestScript, neg bool, args []string) {
	flags := flag.NewFlagSet("shows", flag.ContinueOnError)
	wait, _ := time.ParseDuration(ts.Getenv("WALK_WAIT"))
	limit := flags.Duration("limit", wait, "")
	start := flags.Bool("start", false, "")
	if neg || flags.Parse(args) != nil || flags.NArg() != 2 {
		ts.Fatalf("usage: shows [-start] [-limit D] NAME FILE")
	}
	name, want := flags.Arg(0), ts.ReadFile(flags.Arg(1))
	deadline, capped := time.Now().Add(*limit), false
	for {
		got, end := screenOf(ts, name)
		switch {
		case *start && end:
			ts.Fatalf("it ended before the next block ran, but the page says it runs on through it; it printed:\n%s", got)
		case *start && got != "" && strings.HasSuffix(got, "\n") && strings.HasPrefix(want, got):
			return
		case !*start && (got == want || end):
			ts.Stdout().Write([]byte(got))
			return
		case hasListeningLine(got) && !capped:
			if capped = true; time.Now().Add(wait).Before(deadline) {
				deadline = time.Now().Add(wait)
			}
		case time.Now().After(deadline) && *start:
			ts.Fatalf("a runs-on command must print the start of what the page shows while it runs, within %v; it printed:\n%s", *limit, got)
		case time.Now().After(deadline):
			ts.Logf("terminal %s does not show what the page shows, after %v", name, *limit)
			ts.Stdout().Write([]byte(got))
			return
		}
		time.Sleep(10 * time.Millisecond) // the poll interval
	}
}

// cmdEnds is "ends NAME": it waits, WALK_WAIT at most, until the command
// in terminal NAME has ended.
func cmdEnds(ts *testscript.TestScript, neg bool, args []string) {
	wait, _ := time.ParseDuration(ts.Getenv("WALK_WAIT"))
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ends NAME")
	}
	if !proc.PollWithin(wait, func() bool { _, end := screenOf(ts, args[0]); return end }) {
		ts.Fatalf("still running %v later, where the page shows it ended", wait)
	}
}

// cmdPasses is "passes FILE": FILE, the lines the page shows a go test
// print, must be an ok line for each package the last command (a go list)
// printed, in its order, whatever their times.
func cmdPasses(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: passes FILE")
	}
	var shown []string
	for _, line := range strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n") {
		m := okRE.FindStringSubmatch(line)
		if m == nil {
			ts.Fatalf("want a line \"ok  \\tPACKAGE\\tTIME\" for each package, not %q", line)
		}
		shown = append(shown, m[1])
	}
	if pkgs := strings.Fields(ts.ReadFile("stdout")); strings.Join(shown, " ") != strings.Join(pkgs, " ") {
		ts.Fatalf("the page shows go test pass the packages\n\t%s\nbut they are\n\t%s",
			strings.Join(shown, " "), strings.Join(pkgs, " "))
	}
}
