//go:build unix

package page

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	"wsgi-to-go/internal/script"
)

// Walk is one walk of a page: its console blocks, in order, written as a
// testscript script that runs each command in a terminal of its own
// (terminal.go), from a fresh clone, as a learner runs them, and checks
// that it prints what the page shows. docs/how-the-page-stays-true.md
// is the maintainer's account of it.
type Walk struct {
	Page   string // the page, relative to Source: "TUTORIAL.md"
	Source string // the repository the page has the learner clone: its root
	Update bool   // rewrite what a block shows, when no marker generates it

	waitLimit   time.Duration                   // for a server's output, a ^C's effect, a runs-on command; proc.WaitLimit if 0
	commandWait time.Duration                   // for a command but a go command to end or listen; proc.WaitLimit if 0
	findsPython func() (*python.Python, string) // the page's python3, or nil and why; with none, python3 is not run
}

// The page's conventions, as the walk reads them.
const (
	repoURL      = "<this repository's URL>" // in a command: the walk gives a clone of Source
	listening    = "listening on "           // a command that prints a line starting so and runs on is a server
	interrupt    = "^C"                      // a Ctrl-C, as a terminal echoes it
	runsOnMarker = "<!-- walk: runs on -->"  // above a block: its one command runs on through the next block
	goLimit      = 2 * time.Minute           // for a go command to end or listen: a go run builds first
)

var (
	programRE   = regexp.MustCompile(`^(go run \./(steps|_work)/|python3 python/)\S+`) // the programs that take -addr
	portRE      = regexp.MustCompile(`:8080\b`)
	listeningRE = regexp.MustCompile(`(?m)^` + listening)
	goTestRE    = regexp.MustCompile(`^go test (\./\S*)$`)                             // checked with go list: this walk runs inside go test ./...
	okRE        = regexp.MustCompile(`^ok  \t(\S+)\t([0-9]+(\.[0-9]+)?s|\(cached\))$`) // a package that passed
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
	defer func() { // after a failure too: testscript writes its updates then
		err := s.update()
		for _, n := range s.notes {
			t.Log(n)
		}
		if err != nil {
			t.Error(err)
		}
	}()
	testscript.RunT(script.Flat{T: t}, s.params)
}

// pageCommand is a "$ COMMAND" line of a console block, and the lines after it.
type pageCommand struct {
	line, from        int      // of "$ COMMAND", from 1; of want's first line, from 0
	text              string   // COMMAND
	want              []string // the lines after it, ^C included
	runsOn, generated bool     // runsOnMarker above its block; a marker that generates it: never rewritten
}

// pageScript is a page written as a script: for each command a comment
// "# PAGE:LINE: $ COMMAND", then what runs it and checks what it prints.
type pageScript struct {
	Walk
	params   testscript.Params
	archive  txtar.Archive
	file     string               // the archive's
	lines    []string             // the page's
	commands map[int]*pageCommand // by line
	unquote  []string             // the script's first lines: the files want quoted
	servers  []*pageCommand       // started, not yet stopped: each runs in terminal tLINE
	b        strings.Builder
	notes    []string
}

// script writes the page as a script in tmp, with a clone's origin and a
// port for it, or returns why it cannot.
func (w Walk) script(tmp string) (*pageScript, error) {
	src, err := os.ReadFile(filepath.Join(w.Source, w.Page))
	if err != nil {
		return nil, err
	}
	w.waitLimit, w.commandWait = cmp.Or(w.waitLimit, proc.WaitLimit), cmp.Or(w.commandWait, proc.WaitLimit)
	s := &pageScript{Walk: w, lines: strings.Split(strings.TrimSuffix(string(src), "\n"), "\n"), commands: map[int]*pageCommand{}}
	origin := filepath.Join(tmp, "origin")
	blocks, err := s.parse()
	if err != nil {
		return nil, err
	}
	if err := snapshot(w.Source, origin); err != nil {
		return nil, err
	}
	port, err := walkPort()
	if err != nil {
		return nil, err
	}
	// GOTRACEBACK as the test was given it, not testscript's "system";
	// -trimpath, so that the build cache does not key on the clone's path.
	env := append(os.Environ(), "TUTORIAL_IMPL=", "GOTRACEBACK="+os.Getenv("GOTRACEBACK"), "WALK_PORT="+port,
		"WALK_WAIT="+w.waitLimit.String(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"))
	py, why := (*python.Python)(nil), "this walk was given no python3"
	for i, b := range blocks {
		for _, c := range b {
			if strings.HasPrefix(c.text, "python3 ") && w.findsPython != nil && err == nil {
				env, py, why, err = sealedPython(tmp, env, w.findsPython)
				w.findsPython = nil
			}
			notRun := why
			if py != nil && strings.HasPrefix(c.text, "python3 python/04-") && py.Paste == "" {
				notRun = py.PasteMissing()
			}
			if strings.HasPrefix(c.text, "python3 ") && notRun != "" {
				s.notes = append(s.notes, fmt.Sprintf("%s:%d: not run: %s", w.Page, c.line, notRun))
				s.printf("# %s:%d: $ %s (not run: %s)\n", w.Page, c.line, c.text, notRun)
			} else if err == nil {
				err = s.command(c, quote(command(c.text, origin, port)))
			}
		}
		if i > 0 && blocks[i-1][0].runsOn {
			c := blocks[i-1][0]
			s.printf("# %s:%d: $ %s (ends after the block that follows it)\nshows -end t%d $WORK/page/%[4]d.txt\nwait t%[4]d\ncmp stdout $WORK/page/%[4]d.txt\n",
				w.Page, c.line, c.text, c.line)
		}
	}
	switch {
	case err != nil:
		return nil, err
	case len(blocks) > 0 && blocks[len(blocks)-1][0].runsOn:
		return nil, s.errorf(blocks[len(blocks)-1][0], "the page ends while it runs: a runs-on command ends after the next block")
	case len(s.servers) > 0:
		return nil, s.errorf(s.servers[0], "the server it started still runs at the end of the page: show its terminal again, with ^C")
	}
	s.file, s.archive.Comment = filepath.Join(tmp, w.Page+".txtar"), []byte(strings.Join(s.unquote, "")+s.b.String())
	s.params = testscript.Params{Files: []string{s.file}, UpdateScripts: w.Update, Cmds: terminalCmds,
		Setup: func(e *testscript.Env) error {
			terminals := filepath.Join(e.WorkDir, ".terminals")
			e.Vars = append(append(e.Vars, env...), "WALK_TERMINALS="+terminals)
			e.Defer(func() { // every process group still running, as a failed script leaves them
				pids, _ := filepath.Glob(filepath.Join(terminals, "*.pid"))
				for _, pid := range pids {
					data, _ := os.ReadFile(pid)
					if group, err := strconv.Atoi(string(data)); err == nil && group < -1 {
						syscall.Kill(group, syscall.SIGKILL)
					}
				}
			})
			return os.Mkdir(terminals, 0o777)
		}}
	return s, os.WriteFile(s.file, txtar.Format(&s.archive), 0o666)
}

// parse returns the page's console blocks' commands, block by block, or
// the first thing in a block that the walk cannot read.
func (s *pageScript) parse() (blocks [][]*pageCommand, err error) {
	for i, lines := 0, s.lines; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		open, runsOn, generated, b := i, false, false, []*pageCommand(nil)
		for i++; i < len(lines) && lines[i] != "```"; i++ {
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s:%d: a fenced block that never ends", s.Page, open+1)
		} else if strings.TrimSpace(lines[open][3:]) != "console" {
			continue
		}
		for j := open - 1; j >= 0 && strings.HasPrefix(lines[j], "<!-- "); j-- {
			_, isMarker, _ := parseMarker(lines[j], j+1) // markers.go's: its block is generated
			runsOn, generated = runsOn || lines[j] == runsOnMarker, generated || isMarker
		}
		for j := open + 1; j < i; j++ {
			if text, ok := strings.CutPrefix(lines[j], "$ "); ok {
				b = append(b, &pageCommand{line: j + 1, from: j + 1, text: text, runsOn: runsOn, generated: generated})
			} else if len(b) == 0 {
				return nil, fmt.Errorf("%s:%d: a console block starts with a command, a line \"$ COMMAND\"", s.Page, j+1)
			} else {
				b[len(b)-1].want = append(b[len(b)-1].want, lines[j])
			}
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("%s:%d: an empty console block", s.Page, open+1)
		} else if runsOn && len(b) != 1 {
			return nil, fmt.Errorf("%s:%d: a block marked %s holds one command, not %d", s.Page, open+1, runsOnMarker, len(b))
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// command writes what runs page command c, as run, and checks what it
// prints: in terminal tLINE, its own or, if c shows a running server's
// again and presses ^C, the server's.
func (s *pageScript) command(c *pageCommand, run string) error {
	note, limit, term, f := "", s.commandWait, c.line, strings.Fields(c.text)
	if goTestRE.MatchString(c.text) {
		note = " (checked with go list, not run: this walk is part of go test ./..., which passes only if the rest does)"
	}
	s.printf("# %s:%d: $ %s%s\n", s.Page, c.line, c.text, note)
	if strings.HasPrefix(c.text, "go ") {
		limit = goLimit
	}
	pressed := slices.IndexFunc(c.want, func(l string) bool { return strings.HasPrefix(l, interrupt) })
	i := slices.IndexFunc(s.servers, func(s *pageCommand) bool { return s.text == c.text })
	switch cd := len(f) > 0 && f[0] == "cd"; {
	case cd && (len(f) != 2 || len(c.want) > 0):
		return s.errorf(c, "the walk's cd takes one folder, as cd DIR, and prints nothing")
	case cd:
		s.printf("cd %s\n", quote(f[1]))
	case goTestRE.MatchString(c.text): // the packages, from go list
		var pkgs []string
		for _, line := range c.want {
			if m := okRE.FindStringSubmatch(line); m == nil {
				return s.errorf(c, "want a line \"ok  \\tPACKAGE\\tTIME\" for each package, not %q", line)
			} else {
				pkgs = append(pkgs, m[1])
			}
		}
		s.printf("exec go list %s\ncmp stdout %s\n",
			goTestRE.FindStringSubmatch(c.text)[1], s.want(c, ".packages", pkgs))
		s.notes = append(s.notes, fmt.Sprintf("%s:%d: %s is checked with go list, not run inside go test ./...", s.Page, c.line, c.text))
	case c.runsOn:
		s.printf("exec terminal t%d %s &t%[1]d&\nshows -start t%[1]d %[3]s\n", c.line, run, s.want(c, "", c.want))
	case pressed < 0 && !listeningRE.MatchString(text(c.want)):
		s.printf("exec terminal -limit %v t%d %s\ncmp stdout %s\n", limit, c.line, run, s.want(c, "", c.want))
	case pressed < 0: // a server: it runs on
		s.printf("exec terminal t%[1]d %[2]s &t%[1]d&\nshows -limit %[3]v t%[1]d %[4]s\ncmp stdout %[4]s\n", c.line, run, limit, s.want(c, "", c.want))
		s.servers = append(s.servers, c)
	default: // ^C in a server's terminal, or in a terminal of its own
		if i < 0 {
			s.printf("exec terminal t%d %s &t%[1]d&\n", c.line, run)
		} else {
			term = s.servers[i].line
			s.servers = slices.Delete(s.servers, i, i+1)
		}
		for k, line := range c.want {
			if strings.HasPrefix(line, interrupt) {
				s.printf("shows -limit %v t%d %s\ncmp stdout %[3]s\nkill -INT t%[2]d\n", limit, term, s.want(c, fmt.Sprintf(".%d", k), c.want[:k]))
			}
		}
		s.printf("shows -end t%d %s\nwait t%[1]d\ncmp stdout %[2]s\n", term, s.want(c, "", c.want))
	}
	return nil
}

// want adds a file to the script that holds lines, and names it: what c
// shows, for part "", which -update may rewrite, or a part of it.
func (s *pageScript) want(c *pageCommand, part string, lines []string) string {
	name := fmt.Sprintf("page/%d%s.txt", c.line, part)
	data := []byte(text(lines))
	if txtar.NeedsQuote(data) { // a line such as "-- x --" would end the file
		data, _ = txtar.Quote(data) // NeedsQuote is true, so it quotes
		s.unquote = append(s.unquote, "unquote "+name+"\n")
	}
	s.archive.Files = append(s.archive.Files, txtar.File{Name: name, Data: data})
	s.commands[c.line] = c
	return "$WORK/" + name
}

// update writes, with Update, what the script's run found a command
// prints in place of what the page shows, but where a marker generates
// its block: that fails, naming the command; so does a go test block
// whose packages differ, which no output rewrites.
func (s *pageScript) update() error {
	a, err := txtar.ParseFile(s.file)
	if !s.Update || err != nil {
		return err
	}
	written := map[string]string{} // what script wrote in each file
	for _, f := range s.archive.Files {
		written[f.Name] = string(f.Data)
	}
	n := 0
	for _, f := range slices.Backward(a.Files) { // the last first, so that the lines before stay where they are
		if string(f.Data) == written[f.Name] {
			continue
		}
		if data, err := txtar.Unquote(f.Data); err == nil && txtar.NeedsQuote(data) {
			f.Data = data // as testscript quoted it
		}
		number, part, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(f.Name, "page/"), ".txt"), ".")
		line, _ := strconv.Atoi(number)
		switch c := s.commands[line]; {
		case c == nil:
			err = errors.Join(err, fmt.Errorf("%s: the walk's script changed a file of its own, %s", s.Page, f.Name))
		case part == "packages":
			err = errors.Join(err, s.errorf(c, "go list lists other packages than the page shows:\n%s", f.Data))
		case part != "":
			// what a terminal showed before a ^C: the part "" holds it too
		case c.generated:
			err = errors.Join(err, s.errorf(c, "it prints what the page does not show, in a block a marker generates: change its source, not the page:\n%s", f.Data))
		default:
			s.lines, n = slices.Concat(s.lines[:c.from], lines(string(f.Data)), s.lines[c.from+len(c.want):]), n+1
		}
	}
	if n > 0 {
		s.notes = append(s.notes, fmt.Sprintf("%s: rewrote what %d commands print", s.Page, n))
		err = errors.Join(err, os.WriteFile(filepath.Join(s.Source, s.Page), []byte(strings.Join(s.lines, "\n")+"\n"), 0o666))
	}
	return err
}

// sealedPython gives the page's commands the tests' python3, sealed, as
// python3 on the PATH: a learner's python3 that has Paste Deploy, with
// nothing else installed for it in the way. Without one, it says why.
func sealedPython(tmp string, env []string, find func() (*python.Python, string)) ([]string, *python.Python, string, error) {
	py, why := find()
	if py == nil {
		return env, nil, why, nil
	}
	shims := filepath.Join(tmp, "python")
	err := errors.Join(os.Mkdir(shims, 0o777), os.WriteFile(filepath.Join(shims, "python3"), []byte(py.Wrapper()), 0o755))
	return append(env, "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"), "PYTHONPATH="+py.PythonPath), py, "", err
}

func (s *pageScript) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// errorf is a failure of command c: PAGE:LINE: $ COMMAND, then why.
func (s *pageScript) errorf(c *pageCommand, format string, args ...any) error {
	return fmt.Errorf("%s:%d: $ %s\n%s", s.Page, c.line, c.text, fmt.Sprintf(format, args...))
}

// quote quotes s as one argument of a testscript command.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// text joins lines as a program prints them, each ending in a newline.
func text(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// lines splits what a program printed into lines, as text joins them.
func lines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// command is a page's command as the walk runs it: the repository's URL
// is origin, the page's port is port, and a program that takes -addr and
// is given none is given port.
func command(text, origin, port string) string {
	text = portRE.ReplaceAllString(strings.ReplaceAll(text, repoURL, python.ShellQuote(origin)), ":"+port)
	if programRE.MatchString(text) && !strings.Contains(text, " -addr") {
		text += " -addr localhost:" + port
	}
	return text
}
