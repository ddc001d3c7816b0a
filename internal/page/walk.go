//go:build unix

package page

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/python"
)

// The walk runs a page's console blocks as a learner runs them: it writes
// them, in order, as a testscript script, and testscript runs it. Each
// command runs in a terminal of its own (terminal.go); a server's
// terminal runs on until the page presses Ctrl-C in it. What a command
// prints must be what the page shows, but for a short list of values that
// differ on every run (walkNormalize). docs/how-the-page-stays-true.md is
// the maintainer's account of it.

// walks is whether the walk runs on this system.
const walks = true

// Walk is one walk of a page.
type Walk struct {
	Page   string // the page, relative to Source: "TUTORIAL.md"
	Source string // the repository the page has the learner clone: its root
	Update bool   // rewrite what a block shows, when no marker generates it

	waitLimit   time.Duration // for a server's output, a ^C's effect, a runs-on command; proc.WaitLimit if 0
	commandWait time.Duration // for any command but a go command to end or listen; proc.WaitLimit if 0
	// findsPython returns the page's python3, or nil and why there is
	// none; with no findsPython, the page's python3 commands are not run.
	findsPython func() (*python.Python, string)
}

// The page's conventions, as the walk reads them.
const (
	repoURL         = "<this repository's URL>" // the one thing a learner fills in: the walk gives a clone of Source
	pagePort        = "8080"                    // the port the page's servers listen on; the walk maps it to a free one
	listeningPrefix = "listening on "           // a command that prints a line starting so and runs on is a server
	testCommand     = "go test ./..."           // the command that runs this walk: the walk checks a go test block, never runs it
	commandLimit    = 2 * time.Minute           // for a go command to end or listen: a go run builds first
)

// Run walks the page, and fails t at the first command that does not
// print what the page shows, naming its line. With Update, it rewrites
// what such a command shows instead, if no marker generates its block.
func (w Walk) Run(t *testing.T) {
	w.findsPython = func() (*python.Python, string) { return probe.Python(t) }
	s, err := w.script(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range s.notes {
		t.Log(n)
	}
	defer func() { // after a failure too: testscript writes its updates then
		if err := s.update(); err != nil {
			t.Error(err)
		}
	}()
	testscript.RunT(flat{t}, s.params)
}

// flat is t as testscript's T: the page's script runs as t itself.
type flat struct{ *testing.T }

func (f flat) Parallel()                            {}
func (f flat) Verbose() bool                        { return testing.Verbose() }
func (f flat) Run(_ string, run func(testscript.T)) { run(f) }

// pageScript is a page written as a testscript script, ready to run.
type pageScript struct {
	Walk
	params   testscript.Params
	archive  string               // the script's file
	commands map[int]*pageCommand // by line, each whose output the script may update
	lines    []string             // the page's
	fixed    map[string]string    // files the script compares with that -update leaves alone
	servers  []*pageCommand       // the servers started, not yet stopped, by their terminals
	py       *python.Python       // the page's python3, once a command needs it; nil if there is none
	noPython string               // why there is none
	looked   bool                 // whether the walk has looked for python3
	b        strings.Builder
	notes    []string
}

// script writes the page as a script in tmp: for each command, a comment
// "# PAGE:LINE: $ COMMAND", then the script's commands that run and check it.
func (w Walk) script(tmp string) (*pageScript, error) {
	src, err := os.ReadFile(filepath.Join(w.Source, w.Page))
	if err != nil {
		return nil, err
	}
	w.waitLimit, w.commandWait = cmp(w.waitLimit, proc.WaitLimit), cmp(w.commandWait, proc.WaitLimit)
	s := &pageScript{Walk: w, lines: strings.Split(strings.TrimSuffix(string(src), "\n"), "\n"),
		commands: map[int]*pageCommand{}, fixed: map[string]string{}}
	blocks, err := parseConsoleBlocks(w.Page, s.lines)
	if err != nil {
		return nil, err
	}
	origin, err := snapshot(w.Source, filepath.Join(tmp, "origin"))
	if err != nil {
		return nil, fmt.Errorf("making a repository for the page's git clone: %v", err)
	}
	port, err := walkPort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "TUTORIAL_IMPL=", "GOTRACEBACK="+os.Getenv("GOTRACEBACK"),
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"), // the clone's path changes every run; the build cache's key must not
		"WALK_PORT="+port, "WALK_WAIT="+w.waitLimit.String())
	var runsOn *pageCommand
	for i, b := range blocks {
		for _, c := range b.commands {
			if strings.HasPrefix(c.text, "python3 ") && !s.looked {
				if env, err = s.findPython(tmp, env); err != nil {
					return nil, err
				}
			}
			if err := s.command(b, c, origin, port); err != nil {
				return nil, err
			}
		}
		if runsOn != nil {
			s.printf("# %s:%d: $ %s (ends after the block that follows it)\nends %s\nwait %[4]s\ncmp stdout %s\n",
				w.Page, runsOn.line, runsOn.text, name(runsOn), s.file(b, runsOn, ""))
			runsOn = nil
		}
		if b.runsOn {
			if i == len(blocks)-1 {
				return nil, s.errorf(b.commands[0], "the page ends while it runs: a runs-on command ends after the next block")
			}
			runsOn = b.commands[0]
		}
	}
	if len(s.servers) > 0 {
		return nil, s.errorf(s.servers[0], "the server it started still runs at the end of the page: show its terminal again, with ^C")
	}
	s.archive = filepath.Join(tmp, w.Page+".txtar")
	s.params = testscript.Params{Files: []string{s.archive}, UpdateScripts: w.Update, Cmds: terminalCmds,
		Setup: func(e *testscript.Env) error {
			terminals := filepath.Join(e.WorkDir, ".terminals")
			e.Vars = append(append(e.Vars, env...), "WALK_TERMINALS="+terminals)
			e.Defer(func() { // every process group still running, as a script may stop halfway
				pids, _ := filepath.Glob(filepath.Join(terminals, "*.pid"))
				for _, pid := range pids {
					data, _ := os.ReadFile(pid)
					if group, err := strconv.Atoi(string(data)); err == nil && group < -1 {
						syscall.Kill(group, syscall.SIGKILL)
					}
				}
			})
			for name, data := range s.fixed {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(e.WorkDir, name)), 0o777); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(e.WorkDir, name), []byte(data), 0o666); err != nil {
					return err
				}
			}
			return os.Mkdir(terminals, 0o777)
		}}
	a := &txtar.Archive{Comment: []byte(s.b.String())}
	for _, c := range s.commands {
		a.Files = append(a.Files, txtar.File{Name: fmt.Sprintf("page/%d.txt", c.line), Data: []byte(text(c.want))})
	}
	return s, os.WriteFile(s.archive, txtar.Format(a), 0o666)
}

// command writes what runs page command c of block b, and checks it.
func (s *pageScript) command(b *consoleBlock, c *pageCommand, origin, port string) error {
	note := ""
	switch {
	case c.text == "cd" || strings.HasPrefix(c.text, "cd "):
		if f := strings.Fields(c.text); len(f) != 2 || len(c.want) > 0 {
			return s.errorf(c, "the walk's cd takes one folder, as cd DIR, and prints nothing")
		}
		s.printf("# %s:%d: $ %s\ncd %s\n", s.Page, c.line, c.text, quote(strings.Fields(c.text)[1]))
		return nil
	case goTestRE.MatchString(c.text):
		note = "not run inside " + testCommand + ": this walk is part of it, and passes only if the rest does"
		s.printf("# %s:%d: $ %s (%s)\nexec go list %s\npasses %s\n", s.Page, c.line, c.text, note,
			goTestRE.FindStringSubmatch(c.text)[1], s.file(b, c, ""))
	case strings.HasPrefix(c.text, "python3 ") && s.py == nil:
		note = "not run: " + s.noPython
	case strings.HasPrefix(c.text, "python3 python/04-") && s.py.Paste == "":
		note = "not run: " + s.py.PasteMissing()
	}
	if note != "" {
		s.notes = append(s.notes, fmt.Sprintf("%s:%d: %s", s.Page, c.line, note))
		return nil
	}
	s.printf("# %s:%d: $ %s\n", s.Page, c.line, c.text)
	run, limit := quote(command(c.text, origin, port)), s.commandWait
	if strings.HasPrefix(c.text, "go ") {
		limit = commandLimit
	}
	i := slices.IndexFunc(s.servers, func(s *pageCommand) bool { return s.text == c.text })
	server := c
	if i >= 0 && interrupts(c.want) {
		server = s.servers[i]
		s.servers = slices.Delete(s.servers, i, i+1)
	} else {
		started := segments(c.want)[0]
		switch {
		case b.runsOn:
			s.printf("exec terminal %s %s &%[1]s&\nshows -start %[1]s %[3]s\n", name(c), run, s.file(b, c, ""))
			return nil
		case !interrupts(c.want) && !hasListeningLine(text(started)):
			s.printf("exec terminal -limit %v %s %s\ncmp stdout %s\n", limit, name(c), run, s.file(b, c, ""))
			return nil
		}
		s.printf("exec terminal %s %s &%[1]s&\n", name(c), run)
		if !interrupts(c.want) {
			s.printf("shows -limit %v %s %s\ncmp stdout %[3]s\n", limit, name(c), s.file(b, c, ""))
			s.servers = append(s.servers, c)
			return nil
		}
	}
	for k, line := range c.want {
		if !strings.HasPrefix(line, interrupt) {
			continue
		}
		file := s.file(b, c, fmt.Sprintf(".%d", k), c.want[:k]...)
		s.printf("shows -limit %v %s %s\ncmp stdout %[3]s\nkill -INT %[2]s\n", limit, name(server), file)
	}
	s.printf("ends %s\nwait %[1]s\ncmp stdout %s\n", name(server), s.file(b, c, ""))
	return nil
}

// file names the file that holds what c shows, or only lines of it after
// part: in the archive, for -update, unless a marker generates b.
func (s *pageScript) file(b *consoleBlock, c *pageCommand, part string, lines ...string) string {
	path := fmt.Sprintf("page/%d%s.txt", c.line, part)
	switch {
	case part != "" || b.generated != "":
		if part == "" {
			lines = c.want
		}
		path = "fixed/" + path
		s.fixed[path] = text(lines)
	default:
		s.commands[c.line] = c
	}
	return "$WORK/" + path
}

// findPython gives the page's commands the tests' python3, sealed, as
// python3 on the PATH: a learner's python3 that has Paste Deploy, with
// nothing else installed for it in the way. With none, it says why.
func (s *pageScript) findPython(tmp string, env []string) ([]string, error) {
	s.looked, s.noPython = true, "this walk was given no python3"
	if s.findsPython == nil {
		return env, nil
	}
	if s.py, s.noPython = s.findsPython(); s.py == nil {
		return env, nil // python3's commands are not run, with a note each
	}
	shims := filepath.Join(tmp, "python-shim")
	if err := os.Mkdir(shims, 0o777); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(shims, "python3"), []byte(s.py.Wrapper()), 0o755); err != nil {
		return nil, err
	}
	return append(env, "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"), "PYTHONPATH="+s.py.PythonPath), nil
}

// update writes, with Update, what the script's run wrote in place of
// what the page shows, for each command that printed something else.
func (s *pageScript) update() error {
	if !s.Update {
		return nil
	}
	a, err := txtar.ParseFile(s.archive)
	if err != nil {
		return err
	}
	sort.Slice(a.Files, func(i, j int) bool { return s.from(a.Files[i]) > s.from(a.Files[j]) }) // the last first
	n := 0
	for _, f := range a.Files {
		if c := s.commands[s.line(f)]; c != nil && string(f.Data) != text(c.want) {
			var lines []string
			if len(f.Data) > 0 {
				lines = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
			}
			s.lines = append(s.lines[:c.from:c.from], append(lines, s.lines[c.from+len(c.want):]...)...)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	s.notes = append(s.notes, fmt.Sprintf("%s: rewrote what %d commands print", s.Page, n))
	return os.WriteFile(filepath.Join(s.Source, s.Page), []byte(strings.Join(s.lines, "\n")+"\n"), 0o666)
}

// line is the page's line of the command whose output f holds, or 0.
func (s *pageScript) line(f txtar.File) int {
	line, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f.Name, "page/"), ".txt"))
	return line
}

// from is where the output f holds starts among the page's lines, or -1.
func (s *pageScript) from(f txtar.File) int {
	if c := s.commands[s.line(f)]; c != nil {
		return c.from
	}
	return -1
}

func (s *pageScript) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// errorf is a failure of command c: PAGE:LINE: $ COMMAND, then why.
func (s *pageScript) errorf(c *pageCommand, format string, args ...any) error {
	return fmt.Errorf("%s:%d: $ %s\n%s", s.Page, c.line, c.text, fmt.Sprintf(format, args...))
}

// name names the terminal of the command on a page's line.
func name(c *pageCommand) string { return fmt.Sprintf("t%d", c.line) }

// quote quotes s for testscript.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// cmp is d, or if it is 0, or.
func cmp(d, or time.Duration) time.Duration {
	if d == 0 {
		return or
	}
	return d
}
