//go:build unix

package page

import (
	"cmp"
	"flag"
	"fmt"
	"io"
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
	"wsgi-to-go/internal/script"
)

// A terminal records what its command shows in $WALK_TERMINALS/NAME as it
// comes, raw, with pressed at each Ctrl-C and ended at the end.
const pressed, ended = "\x03", "\x04" // what a Ctrl-C sends; end of transmission

// Programs returns the programs a page's script runs, for script.Main:
// the terminal.
func Programs() map[string]func() { return map[string]func(){"terminal": terminalMain} }

// terminalMain is "terminal [-limit D] NAME COMMAND": it runs sh -c COMMAND
// in a process group of its own, stdout and stderr one stream, as a
// terminal runs a job, and passes a SIGINT on to the group. Once the
// command ends, it kills what is left of the group and prints what it
// showed (shown). With -limit, a command still running after D is killed,
// and the terminal fails; so is one that listens, where the page shows
// it end.
func terminalMain() {
	limit := flag.Duration("limit", 0, "kill the command, and fail, if it still runs after this long")
	flag.Parse()
	name := filepath.Join(os.Getenv("WALK_TERMINALS"), flag.Arg(0))
	file, err := os.Create(name)
	pr, pw, pipeErr := os.Pipe()
	err = cmp.Or(err, pipeErr)
	cmd := exec.Command("sh", "-c", flag.Arg(1))
	cmd.Stdout, cmd.Stderr, cmd.SysProcAttr = pw, pw, &syscall.SysProcAttr{Setpgid: true}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	if err == nil && flag.NArg() == 2 {
		err = cmd.Start()
	}
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: terminal [-limit D] NAME COMMAND")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "terminal:", err)
		os.Exit(2)
	}
	pw.Close()
	group := -cmd.Process.Pid
	if err := os.WriteFile(name+".pid", []byte(fmt.Sprint(group)), 0o666); err != nil { // for the script's end, if this terminal's never comes
		syscall.Kill(group, syscall.SIGKILL)
		fmt.Fprintln(os.Stderr, "terminal:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var out strings.Builder
	listens := make(chan struct{}, 1)
	show := func(text string) {
		mu.Lock()
		defer mu.Unlock()
		out.WriteString(text)
		file.WriteString(text)
		if *limit > 0 && listeningRE.MatchString(out.String()) && len(listens) == 0 {
			listens <- struct{}{}
		}
	}
	copied, exited := make(chan struct{}), make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for n, err := pr.Read(buf); err == nil; n, err = pr.Read(buf) {
			show(string(buf[:n]))
		}
		close(copied)
	}()
	go func() { exited <- cmd.Wait() }()
	var timeout <-chan time.Time
	if *limit > 0 {
		timeout = time.After(*limit)
	}
	complaint := ""
	for done := false; !done; {
		select {
		case <-interrupts:
			show(pressed)
			syscall.Kill(group, syscall.SIGINT)
		case <-timeout:
			complaint = fmt.Sprintf("still running after %v, and not listening: a command on the page must end, or be a server that prints %q; stopped it", *limit, listening+"...")
			syscall.Kill(group, syscall.SIGKILL)
		case <-listens:
			complaint = "it is a server: it prints " + listening + "... and runs on, where the page shows it end; stopped it"
			syscall.Kill(group, syscall.SIGKILL)
		case <-exited:
			done = true
		}
	}
	syscall.Kill(group, syscall.SIGKILL) // what is left of its group
	select {
	case <-copied:
	case <-time.After(proc.WaitLimit): // a process that left the group holds the pipe
		complaint = cmp.Or(complaint, "its output never ended: a process it started left its process group, and still runs")
	}
	os.Remove(name + ".pid")
	os.Stdout.WriteString(shown(out.String()+ended, walkPortRE(os.Getenv("WALK_PORT"))))
	show(ended)
	if complaint != "" {
		fmt.Fprintln(os.Stderr, complaint)
		os.Exit(1)
	}
}

// walkPortRE matches the walk's port, after a colon, in what a command
// prints.
func walkPortRE(port string) *regexp.Regexp { return regexp.MustCompile(`:` + port + `\b`) }

// shown is what a terminal's record shows, with the walk's port (port
// matches it): what came between the Ctrl-Cs normalised, each echoed as
// ^C where the next output begins, and after a last one that nothing
// followed, the shell's prompt on the next line.
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

// normalizers are the values a command prints that differ from run to
// run or machine to machine, and what the page shows in their place, as
// the scripts' replace lines do; walkNormalize applies them, in order.
var normalizers = []struct {
	re *regexp.Regexp
	as string
}{
	{regexp.MustCompile(`\r\n`), "\n"},
	{regexp.MustCompile(`(?m)^go: downloading .*\n`), ""}, // they depend on the module cache
	{regexp.MustCompile(`req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`), "req-UUID"},
	{regexp.MustCompile(`(?m)^time=\S+ `), ""},
	{regexp.MustCompile(`(?m)^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} `), "DATE TIME "},
	{regexp.MustCompile(`duration=\S+`), "duration=DURATION"},
	{regexp.MustCompile(`stack=".*"`), `stack="goroutine …"`},
}

// walkNormalize rewrites what a command printed as the page shows it: the
// walk's port (port matches it) as 8080, a body with no final newline as
// if it had one (script.HideNoNewlineMark), and each of normalizers.
func walkNormalize(out string, port *regexp.Regexp) string {
	for _, n := range normalizers {
		out = n.re.ReplaceAllLiteralString(out, n.as)
	}
	return port.ReplaceAllString(script.HideNoNewlineMark(out), ":8080")
}

// terminalCmds are the page's script's own commands.
var terminalCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){"shows": cmdShows}

// cmdShows is "shows [-start|-end] [-limit D] NAME FILE": it waits until
// terminal NAME shows what FILE holds, or its command has ended, and
// prints what it shows then, for a cmp. It waits D at most ($WALK_WAIT
// by default) for a listening line, and $WALK_WAIT after one. With
// -start, it waits for the start of FILE, whole lines, and fails if the
// command has ended; with -end, it waits for the end, and fails without.
func cmdShows(ts *testscript.TestScript, neg bool, args []string) {
	flags := flag.NewFlagSet("shows", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	wait, _ := time.ParseDuration(ts.Getenv("WALK_WAIT"))
	limit, start, end := flags.Duration("limit", wait, ""), flags.Bool("start", false, ""), flags.Bool("end", false, "")
	if neg || flags.Parse(args) != nil || flags.NArg() != 2 {
		ts.Fatalf("usage: shows [-start|-end] [-limit D] NAME FILE")
	}
	want, deadline, listened := ts.ReadFile(flags.Arg(1)), time.Now().Add(*limit), false
	port := walkPortRE(ts.Getenv("WALK_PORT"))
	for ; ; time.Sleep(10 * time.Millisecond) { // the poll interval
		raw, _ := os.ReadFile(filepath.Join(ts.Getenv("WALK_TERMINALS"), flags.Arg(0)))
		got, done, late := shown(string(raw), port), strings.HasSuffix(string(raw), ended), time.Now().After(deadline)
		switch {
		case *start && done:
			ts.Fatalf("it ended before the next block ran, but the page says it runs on through it; it printed:\n%s", got)
		case *start && late:
			ts.Fatalf("a runs-on command must print the start of what the page shows while it runs, within %v; it printed:\n%s", *limit, got)
		case *start && got != "" && strings.HasSuffix(got, "\n") && strings.HasPrefix(want, got):
			return
		case *end && late:
			ts.Fatalf("still running %v later, where the page shows it end", *limit)
		case !*start && (done || got == want && !*end || late):
			if late {
				ts.Logf("terminal %s does not show what the page shows, after %v", flags.Arg(0), *limit)
			}
			ts.Stdout().Write([]byte(got))
			return
		case !listened && listeningRE.MatchString(got) && time.Now().Add(wait).Before(deadline):
			deadline, listened = time.Now().Add(wait), true
		}
	}
}
