//go:build unix

package page

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/python"
	"wsgi-to-go/internal/script"
)

// The walk runs a page's console blocks as a learner runs them: in order,
// from a fresh clone, each command in a shell, a server in a terminal of
// its own until the page presses Ctrl-C in it. Every command must print
// what the page shows, but for a short list of values that differ on every
// run (walkNormalize). docs/how-the-page-stays-true.md is the maintainer's
// account of it.

// walks is whether the walk runs on this system.
const walks = true

// Walk is one walk of a page.
type Walk struct {
	Page   string // the page, relative to Source: "TUTORIAL.md"
	Source string // the repository the page has the learner clone: its root
	Update bool   // rewrite what a block shows, when no marker generates it

	waitLimit time.Duration // for a server's output and a ^C's effect; proc.WaitLimit if 0
	// commandWait bounds a command, not a go command, that neither ends
	// nor listens; proc.WaitLimit if 0.
	commandWait time.Duration
	// findsPython returns the page's python3, or nil and why there is
	// none; with no findsPython, the page's python3 commands are not run.
	findsPython func() (*python.Python, string)
}

// The page's conventions, as the walk reads them.
const (
	// repoURL, in a command, is the one thing a learner fills in: the walk
	// gives a clone of Source.
	repoURL = "<this repository's URL>"
	// pagePort is the port the page's servers listen on; the walk maps it to
	// a free one.
	pagePort = "8080"
	// listeningPrefix starts the line a server prints once it listens: a
	// command that prints it and runs on is a server.
	listeningPrefix = "listening on "
	// testCommand is the command that runs this walk: the walk checks what
	// the page shows it, or a go test of fewer packages, print, but does
	// not run them inside it.
	testCommand = "go test ./..."
	// commandLimit bounds a go command that neither ends nor starts to
	// listen: a go run builds first, and a first build takes a while. Any
	// other command has commandWait, proc.WaitLimit.
	commandLimit = 2 * time.Minute
)

// Run walks the page, and fails t at the first command that does not
// print what the page shows, naming its line. With Update, it rewrites
// what such a command shows instead, if no marker generates its block.
func (w Walk) Run(t *testing.T) {
	w.findsPython = func() (*python.Python, string) { return probe.Python(t) }
	notes, err := w.walk(t.TempDir())
	for _, n := range notes {
		t.Log(n)
	}
	if err != nil {
		t.Error(err)
	}
}

// walker is the state of one walk: the page, the shell's directory, and
// the commands still running in their terminals.
type walker struct {
	Walk
	lines    []string
	origin   string // the repository the page's git clone clones
	dir      string // the current directory, as cd leaves it
	env      []string
	port     string
	tmp      string         // the walk's own folder
	python   *python.Python // the page's python3, sealed, once a command needs it; nil if there is none
	noPython string         // why there is none
	looked   bool           // whether the walk has looked for python3
	portOut  *regexp.Regexp // the walk's port, in what a command prints
	servers  []*process     // servers started, not yet stopped
	started  []*process     // every process, to stop at the end
	rewrites map[int]rewrite
	notes    []string
}

// rewrite is what Update writes in place of a command's lines on the page.
type rewrite struct {
	n     int      // how many lines the page shows now
	lines []string // what the command printed instead
}

// process is a command the walk started in a process group of its own,
// as a terminal starts a foreground job.
type process struct {
	c          *pageCommand
	b          *consoleBlock // c's block
	cmd        *exec.Cmd
	out        *proc.LockedBuffer // stdout and stderr, as a terminal interleaves them
	done       chan struct{}      // closed once it has ended and its output with it
	interrupts []int              // how much it had printed at each ^C
}

func (w Walk) walk(tmp string) (notes []string, err error) {
	src, err := os.ReadFile(filepath.Join(w.Source, w.Page))
	if err != nil {
		return nil, err
	}
	if w.waitLimit == 0 {
		w.waitLimit = proc.WaitLimit
	}
	if w.commandWait == 0 {
		w.commandWait = proc.WaitLimit
	}
	wk := &walker{Walk: w, tmp: tmp, lines: strings.Split(strings.TrimSuffix(string(src), "\n"), "\n"), rewrites: map[int]rewrite{}}
	blocks, err := parseConsoleBlocks(w.Page, wk.lines)
	if err != nil {
		return nil, err
	}
	if wk.origin, err = snapshot(w.Source, filepath.Join(tmp, "origin")); err != nil {
		return nil, fmt.Errorf("making a repository for the page's git clone: %v", err)
	}
	wk.dir = filepath.Join(tmp, "home")
	if err := os.Mkdir(wk.dir, 0o777); err != nil {
		return nil, err
	}
	if wk.port, err = walkPort(); err != nil {
		return nil, err
	}
	wk.portOut = regexp.MustCompile(`:` + wk.port + `\b`)
	wk.env = append(os.Environ(), "TUTORIAL_IMPL=")
	defer wk.stopAll()

	var runsOn *process // a runs-on command, and the block after which it must end
	joinAfter := -1
	for i, b := range blocks {
		for _, c := range b.commands {
			p, err := wk.run(b, c)
			if err != nil {
				if w.Update {
					wk.applyRewrites() // what came before it
				}
				return wk.notes, err
			}
			if b.runsOn {
				runsOn, joinAfter = p, i+1
			}
		}
		if runsOn != nil && i == joinAfter {
			if err := wk.finish(runsOn, wk.waitLimit); err != nil {
				return wk.notes, err
			}
			runsOn = nil
		}
	}
	if runsOn != nil {
		return wk.notes, wk.errorf(runsOn.c, "the page ends while it runs: a runs-on command ends after the next block")
	}
	if len(wk.servers) > 0 {
		return wk.notes, wk.errorf(wk.servers[0].c, "the server it started still runs at the end of the page: show its terminal again, with ^C")
	}
	return wk.notes, wk.applyRewrites()
}

// run runs one command of block b, as its block says, and returns it if it
// still runs when run returns.
func (wk *walker) run(b *consoleBlock, c *pageCommand) (*process, error) {
	switch {
	case c.text == "cd" || strings.HasPrefix(c.text, "cd "):
		return nil, wk.cd(c)
	case goTestRE.MatchString(c.text):
		return nil, wk.checkTestOutput(c)
	case strings.HasPrefix(c.text, "python3 ") && !wk.looked:
		if err := wk.findPython(); err != nil {
			return nil, err
		}
		return wk.run(b, c)
	case strings.HasPrefix(c.text, "python3 ") && wk.python == nil:
		return nil, wk.notRun(c, wk.noPython)
	case strings.HasPrefix(c.text, "python3 python/04-") && wk.python.Paste == "":
		return nil, wk.notRun(c, wk.python.PasteMissing())
	}
	if s := wk.server(c); s != nil {
		return nil, wk.terminal(s, c, b) // the server's terminal again, with its ^C
	}
	p, err := wk.start(b, c)
	if err != nil {
		return nil, err
	}
	if b.runsOn {
		return p, wk.untilStarted(p)
	}
	limit := wk.commandWait // a command that builds nothing ends, or listens, in seconds
	if strings.HasPrefix(c.text, "go ") {
		limit = commandLimit
	}
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.done:
			return nil, wk.compare(p, c, b)
		case <-time.After(10 * time.Millisecond): // the poll interval
		}
		if hasListeningLine(p.out.String()) {
			wk.servers = append(wk.servers, p)
			return nil, wk.terminal(p, c, b)
		}
		if time.Now().After(deadline) {
			return nil, wk.errorf(c, "still running after %v, and not listening: a command on the page must end, or be a server that prints %q; stopped it",
				limit, listeningPrefix+"...")
		}
	}
}

// findPython gives the page's commands the tests' python3 (testPython),
// sealed, beside the decoys, as python3: a learner's python3 that has
// Paste Deploy, with nothing else installed for it in the way. (The
// page's curl is the harness's, as the scripts' is: see Main.)
func (wk *walker) findPython() error {
	wk.looked = true
	if wk.findsPython == nil {
		wk.noPython = "this walk was given no python3"
		return nil
	}
	if wk.python, wk.noPython = wk.findsPython(); wk.python == nil {
		return nil // python3's commands are not run, with a note each
	}
	shims := filepath.Join(wk.tmp, "python-shim")
	if err := os.Mkdir(shims, 0o777); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(shims, "python3"), []byte(wk.python.Wrapper()), 0o755); err != nil {
		return err
	}
	wk.env = append(wk.env, "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PYTHONPATH="+wk.python.PythonPath)
	return nil
}

// notRun notes that c is not run here, and why.
func (wk *walker) notRun(c *pageCommand, why string) error {
	wk.notes = append(wk.notes, fmt.Sprintf("%s:%d: not run: %s", wk.Page, c.line, why))
	return nil
}

// server returns the running server that c shows again: a command the
// same as the server's, in a block that presses ^C in its terminal.
func (wk *walker) server(c *pageCommand) *process {
	if !interrupts(c.want) {
		return nil
	}
	for _, s := range wk.servers {
		if s.c.text == c.text {
			return s
		}
	}
	return nil
}

// terminal checks a server's terminal as c shows it: all it printed so far,
// then at each ^C, a SIGINT to its process group, and what it printed
// after. With no ^C, the server runs on; after the last one, it must end.
func (wk *walker) terminal(p *process, c *pageCommand, b *consoleBlock) error {
	segs := segments(c.want)
	var want []string
	for k, seg := range segs {
		want = append(want, seg...)
		if k == len(segs)-1 {
			break
		}
		if err := wk.until(p, c, want, b, "before its ^C"); err != nil {
			return err
		}
		p.interrupts = append(p.interrupts, len(p.out.String()))
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT)
	}
	if len(segs) == 1 {
		err := wk.until(p, c, want, b, "once it listens")
		if got := wk.normalize(p.out.String()); err == nil && got != text(want) {
			wk.rewrite(c, got) // Update: the server's output so far
		}
		return err
	}
	wk.forget(p)
	select {
	case <-p.done:
	case <-time.After(wk.waitLimit):
		return wk.errorf(c, "still running %v after its last ^C", wk.waitLimit)
	}
	return wk.compare(p, c, b)
}

// until waits, for the walk's wait limit at most, until p has printed want so far, as
// c shows it.
func (wk *walker) until(p *process, c *pageCommand, want []string, b *consoleBlock, when string) error {
	if wk.poll(func() bool { return wk.normalize(p.out.String()) == text(want) }) {
		return nil
	}
	if wk.Update && b.generated == "" {
		return nil // the block is rewritten from what came instead
	}
	got := wk.normalize(p.out.String())
	return wk.errorf(c, "its terminal does not show what the page shows %s (after %v):\n%s",
		when, wk.waitLimit, diff.Diff("the page", []byte(text(want)), "the terminal", []byte(got)))
}

// poll calls done every 10ms until it reports true, for the walk's wait
// limit at most, and reports whether it did.
func (wk *walker) poll(done func() bool) bool {
	return proc.PollWithin(wk.waitLimit, done)
}

// untilStarted waits until a runs-on command has printed the start of
// what its block shows: its head, say, for a slow request with curl -i.
func (wk *walker) untilStarted(p *process) error {
	want := text(p.c.want)
	if wk.poll(func() bool {
		got := wk.normalize(p.out.String())
		return got != "" && strings.HasSuffix(got, "\n") && strings.HasPrefix(want, got)
	}) {
		select {
		case <-p.done:
			return wk.errorf(p.c, "it ended before the next block ran, but the page says it runs on through it")
		default:
			return nil
		}
	}
	return wk.errorf(p.c, "a runs-on command must print the start of what the page shows while it runs, within %v; it printed:\n%s",
		wk.waitLimit, wk.normalize(p.out.String()))
}

// finish waits, for limit at most, until a runs-on command ends, and
// compares all it printed.
func (wk *walker) finish(p *process, limit time.Duration) error {
	select {
	case <-p.done:
	case <-time.After(limit):
		return wk.errorf(p.c, "still running %v after the block that follows it", limit)
	}
	return wk.compare(p, p.c, p.b)
}

// compare checks what an ended command printed against its lines on the
// page: those of c, the command that started it or a later block that
// shows its terminal again.
func (wk *walker) compare(p *process, c *pageCommand, b *consoleBlock) error {
	got := wk.printed(p)
	want := text(c.want)
	if got == want {
		return nil
	}
	if wk.Update && b.generated == "" {
		wk.rewrite(c, got)
		return nil
	}
	msg := "it prints what the page does not show"
	if hasListeningLine(p.out.String()) && len(segments(c.want)) == 1 {
		msg = "it is a server that stopped"
	}
	return wk.errorf(c, "%s:\n%s", msg, diff.Diff("the page", []byte(want), "the terminal", []byte(got)))
}

// printed is what p printed, normalised, with ^C where the page pressed
// one, as a terminal echoes it: at the start of the next output's line.
func (wk *walker) printed(p *process) string {
	out := p.out.String()
	var b strings.Builder
	last := 0
	for _, at := range p.interrupts {
		b.WriteString(wk.normalize(out[last:at]))
		b.WriteString(interrupt)
		last = at
	}
	rest := wk.normalize(out[last:])
	if len(p.interrupts) > 0 && rest == "" {
		rest = "\n" // the shell's prompt comes on the next line
	}
	b.WriteString(rest)
	return b.String()
}

// start starts a command as the page shows it, with the port mapped, in
// the current directory and a process group of its own.
func (wk *walker) start(b *consoleBlock, c *pageCommand) (*process, error) {
	cmd := exec.Command("sh", "-c", wk.command(c.text))
	cmd.Dir = wk.dir
	cmd.Env = wk.env
	p := &process{c: c, b: b, cmd: cmd, out: &proc.LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, wk.errorf(c, "%v", err)
	}
	wk.started = append(wk.started, p)
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// programRE matches a command that runs a step, a learner's copy of one,
// or a step's Python twin: the programs that take -addr.
var programRE = regexp.MustCompile(`^(go run \./(steps|_work)/|python3 python/)\S+`)

// portRE matches the page's port, after a colon.
var portRE = regexp.MustCompile(`:` + pagePort + `\b`)

// command is a page's command as the walk runs it: the repository's URL
// is the clone's origin, the page's port is the walk's, and a program
// that takes -addr and is given none is given the walk's port.
func (wk *walker) command(text string) string {
	text = strings.ReplaceAll(text, repoURL, python.ShellQuote(wk.origin))
	text = portRE.ReplaceAllString(text, ":"+wk.port)
	if programRE.MatchString(text) && !strings.Contains(text, " -addr") {
		text += " -addr localhost:" + wk.port
	}
	return text
}

// The values a command prints that differ from run to run, and what the
// page shows in their place.
var (
	uuidRE     = regexp.MustCompile(`req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	slogTimeRE = regexp.MustCompile(`(?m)^time=\S+ `)
	durationRE = regexp.MustCompile(`duration=\S+`)
	stackRE    = regexp.MustCompile(`stack=".*"`)
	logTimeRE  = regexp.MustCompile(`(?m)^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} `)
	downloadRE = regexp.MustCompile(`(?m)^go: downloading .*\n`)
)

// normalize is walkNormalize with this walk's port.
func (wk *walker) normalize(out string) string { return walkNormalize(out, wk.portOut) }

// walkNormalize rewrites what a command printed as the page shows it: a
// body with no final newline as if it had one, the walk's port as the page's, request ids as req-UUID, an slog line
// without its time, a log line's date and time as DATE TIME, durations as
// DURATION, a panic's stack as "goroutine …", and
// without the lines go prints while it downloads modules (they depend on
// what the module cache holds). The scripts' replace lines make the same
// placeholders.
func walkNormalize(out string, port *regexp.Regexp) string {
	out = strings.ReplaceAll(out, "\r\n", "\n")
	out = script.HideNoNewlineMark(out)
	out = downloadRE.ReplaceAllString(out, "")
	out = port.ReplaceAllString(out, ":"+pagePort)
	out = uuidRE.ReplaceAllString(out, "req-UUID")
	out = slogTimeRE.ReplaceAllString(out, "")
	out = logTimeRE.ReplaceAllString(out, "DATE TIME ")
	out = durationRE.ReplaceAllString(out, "duration=DURATION")
	out = stackRE.ReplaceAllString(out, `stack="goroutine …"`)
	return out
}

var listeningRE = regexp.MustCompile(`(?m)^` + listeningPrefix)

func hasListeningLine(out string) bool { return listeningRE.MatchString(out) }

// cd changes the walk's directory, as a shell's cd does.
func (wk *walker) cd(c *pageCommand) error {
	fields := strings.Fields(c.text)
	if len(fields) != 2 {
		return wk.errorf(c, "the walk's cd takes one folder, as cd DIR")
	}
	dir := fields[1]
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wk.dir, dir)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return wk.errorf(c, "cd: no folder %s", fields[1])
	}
	if len(c.want) > 0 {
		return wk.errorf(c, "cd prints nothing, but the page shows %d lines after it", len(c.want))
	}
	wk.dir = dir
	return nil
}

// okRE matches a line go test prints for a package that passed, with its
// time, or (cached).
var okRE = regexp.MustCompile(`^ok  \t(\S+)\t([0-9]+(\.[0-9]+)?s|\(cached\))$`)

// goTestRE matches a go test command of one package pattern, no flags.
var goTestRE = regexp.MustCompile(`^go test (\./\S*)$`)

// checkTestOutput checks what the page shows a go test of one package
// pattern print: an ok line for each of the clone's packages it matches,
// in go list's order, whatever their times. The walk does not run it: the
// walk is part of go test ./..., which runs those packages' tests too,
// and passes only if every test in it does, this walk included.
func (wk *walker) checkTestOutput(c *pageCommand) error {
	pattern := goTestRE.FindStringSubmatch(c.text)[1]
	cmd := exec.Command("go", "list", pattern)
	cmd.Dir, cmd.Env = wk.dir, wk.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wk.errorf(c, "go list %s: %v\n%s", pattern, err, out)
	}
	pkgs := strings.Fields(string(out))
	var shown []string
	for _, line := range c.want {
		m := okRE.FindStringSubmatch(line)
		if m == nil {
			return wk.errorf(c, "want a line \"ok  \\tPACKAGE\\tTIME\" for each package, not %q", line)
		}
		shown = append(shown, m[1])
	}
	if strings.Join(shown, " ") != strings.Join(pkgs, " ") {
		return wk.errorf(c, "the page shows go test pass the packages\n\t%s\nbut they are\n\t%s",
			strings.Join(shown, " "), strings.Join(pkgs, " "))
	}
	wk.notes = append(wk.notes, fmt.Sprintf("%s:%d: %s is not run inside %s: this walk is part of it, and passes only if the rest does",
		wk.Page, c.line, c.text, testCommand))
	return nil
}

// walkPort returns a loopback port that nothing listens on now, for the
// page's 8080. The walk keeps it for the whole page, across the stops and
// starts of its servers, so it is not one the system hands out when asked
// for any free port (the tests running beside it do that all the time):
// it is below the ephemeral ranges of Linux (32768 up) and macOS (49152
// up). Free means free on 127.0.0.1, where the servers listen, and on ::1,
// which curl may try first for localhost.
func walkPort() (string, error) {
	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			continue
		}
		ln6, err := net.Listen("tcp", "[::1]:"+port)
		if err == nil {
			ln6.Close()
		} else if !strings.Contains(err.Error(), "cannot assign requested address") {
			ln.Close()
			continue // taken on ::1
		}
		ln.Close()
		return port, nil
	}
	return "", errors.New("no free loopback port between 20000 and 32000 for the page's 8080")
}

// rewrite records, for Update, what c printed in place of what the page
// shows.
func (wk *walker) rewrite(c *pageCommand, got string) {
	var lines []string
	if got != "" {
		lines = strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	}
	wk.rewrites[c.from] = rewrite{n: len(c.want), lines: lines}
}

// forget drops a stopped server from the running ones.
func (wk *walker) forget(p *process) {
	for i, s := range wk.servers {
		if s == p {
			wk.servers = append(wk.servers[:i], wk.servers[i+1:]...)
			return
		}
	}
}

// stopAll kills every process group the walk started that still runs.
func (wk *walker) stopAll() {
	for _, p := range wk.started {
		select {
		case <-p.done:
			continue
		default:
		}
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(proc.WaitLimit):
		}
	}
}

// errorf is a failure of command c: PAGE:LINE: $ COMMAND, then why.
func (wk *walker) errorf(c *pageCommand, format string, args ...any) error {
	return fmt.Errorf("%s:%d: $ %s\n%s", wk.Page, c.line, c.text, fmt.Sprintf(format, args...))
}

// applyRewrites writes, with Update, what each rewritten command printed
// in place of what the page showed.
func (wk *walker) applyRewrites() error {
	if len(wk.rewrites) == 0 {
		return nil
	}
	var froms []int
	for from := range wk.rewrites {
		froms = append(froms, from)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(froms)))
	lines := wk.lines
	for _, from := range froms {
		r := wk.rewrites[from]
		lines = append(lines[:from:from], append(r.lines, lines[from+r.n:]...)...)
	}
	wk.notes = append(wk.notes, fmt.Sprintf("%s: rewrote what %d commands print", wk.Page, len(froms)))
	return os.WriteFile(filepath.Join(wk.Source, wk.Page), []byte(strings.Join(lines, "\n")+"\n"), 0o666)
}

// snapshot makes a git repository at dst holding the files of the one at
// src that a commit would hold now: those git tracks, and the new ones it
// does not ignore (with no git, every file but _work/ and dot folders'). It
// returns dst, for a clone.
func snapshot(src, dst string) (string, error) {
	files, err := shippedFiles(src)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return "", err
		}
		info, err := os.Stat(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		path := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, data, info.Mode().Perm()); err != nil {
			return "", err
		}
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=walk", "-c", "user.email=walk@localhost", "-c", "commit.gpgsign=false",
			"commit", "-q", "--no-verify", "-m", "the page's repository, as it is now"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dst, nil
}

// shippedFiles lists the files of the repository at root that a commit
// would hold now, relative to it.
func shippedFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"), nil
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (name == "_work" || strings.HasPrefix(name, ".") && name != ".ci") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}
