//go:build unix

package page

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wsgi-to-go/internal/script"
)

// The walk is tested on small fake pages, each in a fake repository: it
// must pass a page that is right, and fail one that is wrong anywhere,
// naming the line, as TUTORIAL.md's walk would.

// fakeServer is a step's program, as small as a server gets (plain net,
// not net/http, so that it builds fast): it says where it listens, answers
// each request with its path and logs it, and says bye on SIGINT.
const fakeServer = `package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen on host:port")
	flag.Parse()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on http://%s\n", ln.Addr())
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(conn)
			line, _ := r.ReadString('\n')
			for h, err := r.ReadString('\n'); err == nil && h != "\r\n"; h, err = r.ReadString('\n') {
			}
			path := strings.Fields(line + " / ")[1]
			body := "hello from " + path + "\n"
			fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			conn.Close()
			fmt.Fprintf(os.Stderr, "served %s\n", path)
		}
	}()
	<-signals
	fmt.Fprintln(os.Stderr, "bye")
}
`

// fakeRepo writes a repository with a page, a data file, a file git would
// ignore, and one step, and returns its root: a git repository with
// nothing committed, whose files the walk's clone holds all the same.
func fakeRepo(t *testing.T, page string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range map[string]string{
		"PAGE.md":              page,
		"go.mod":               "module fake\n\ngo 1.25\n",
		"data.txt":             "some data\n",
		"_work/mine.txt":       "a learner's file\n",
		".gitignore":           "/_work/\n",
		"steps/01-app/main.go": fakeServer,
	} {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "-C", root, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return root
}

// TestMain lets the pages' scripts run this test binary as their
// terminal, and as curl.
func TestMain(m *testing.M) { script.Main(m, Programs()) }

// walkPage walks page in a fake repository. It returns "" if the walk
// passes, or else the error it met writing the page's script, or what the
// script's run logged.
func walkPage(t *testing.T, page string) string {
	t.Helper()
	return walkWith(t, Walk{Page: "PAGE.md", Source: fakeRepo(t, page)})
}

// walkWrongPage is walkPage for a page that must fail: a wait for what it
// shows gives up after a second, not proc.WaitLimit's ten, as the fake programs
// answer at once.
func walkWrongPage(t *testing.T, page string) string {
	t.Helper()
	return walkWith(t, Walk{Page: "PAGE.md", Source: fakeRepo(t, page), waitLimit: time.Second})
}

func walkWith(t *testing.T, w Walk) string {
	t.Helper()
	s, err := w.script(t.TempDir())
	if err != nil {
		return err.Error()
	}
	failed, log := script.Record(s.params)
	if err := s.update(); err != nil {
		return err.Error()
	}
	if !failed {
		return ""
	}
	return log
}

// blamed is the page's line a failed walk names: PAGE:LINE: $ COMMAND, the
// first line of an error writing the script, or the comment that heads
// the script's phase that failed.
func blamed(out string) string {
	if first, _, _ := strings.Cut(out, "\n"); strings.HasPrefix(first, "PAGE.md:") {
		return first
	}
	before, _, _ := strings.Cut(out, "\nFAIL: ")
	i := strings.LastIndex(before, "\n# PAGE.md:")
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(before[i+3:], "\n")
	return line
}

const cloned = "```console\n$ git clone -q <this repository's URL> fake\n$ cd fake\n```\n\n"

func TestWalkPassesAPageThatIsRight(t *testing.T) {
	t.Parallel()
	page := cloned + "Some prose.\n\n```console\n$ cat data.txt\nsome data\n$ echo one; echo two >&2\none\ntwo\n```\n\n" +
		"```go\n$ not a console block, not run\n```\n"
	if out := walkPage(t, page); out != "" {
		t.Fatal(out)
	}
}

// line is the page's line n of the block after cloned's.
func line(n int) string { return "PAGE.md:" + strconv.Itoa(strings.Count(cloned, "\n")+1+n) + ": $ " }

// TestWalkFailsAChangedCommandNamingItsLine: the page shows a command that
// prints what it did not: the failure names PAGE:LINE and the command.
func TestWalkFailsAChangedCommandNamingItsLine(t *testing.T) {
	t.Parallel()
	out := walkPage(t, cloned+"```console\n$ echo hi\nhi\n$ echo hj\nhi\n```\n")
	if got := blamed(out); !strings.HasPrefix(got, line(3)+"echo hj") || !strings.Contains(out, "+hi") {
		t.Errorf("the walk blames %q, want %q, in:\n%s", got, line(3)+"echo hj", out)
	}
}

// TestWalkFailsAChangedOutputLineNamingItsLine: the page shows a line the
// command does not print: the failure names the command's PAGE:LINE.
func TestWalkFailsAChangedOutputLineNamingItsLine(t *testing.T) {
	t.Parallel()
	out := walkPage(t, cloned+"```console\n$ printf 'a\\nb\\n'\na\nc\n```\n")
	if got := blamed(out); !strings.HasPrefix(got, line(1)+"printf") || !strings.Contains(out, "+c") {
		t.Errorf("the walk blames %q, want %q, in:\n%s", got, line(1)+"printf", out)
	}
}

// TestWalkFailsNamingTheLine changes one thing at a time in a page that is
// right, and requires the walk to fail, naming the line of the change.
func TestWalkFailsNamingTheLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, block string
		line        int    // of the command to blame, in the block (cloned's lines come first)
		why         string // a part of the message
	}{
		{"changed output", "$ echo hi\nhello\n", 1, "+hello"},
		{"changed command", "$ echo hj\nhi\n", 1, "-hj"},
		{"a line too many", "$ echo hi\nhi\nagain\n", 1, "+again"},
		{"a line too few", "$ printf 'a\\nb\\n'\na\n", 1, "-b"},
		{"a file the repository lacks", "$ cat missing.txt\nsome data\n", 1, "No such file"},
		{"a file git ignores is not in a clone", "$ cat _work/mine.txt\na learner's file\n", 1, "No such file"},
		{"the second command", "$ echo hi\nhi\n$ echo there\nthere!\n", 3, "+there!"},
		{"a cd to nowhere", "$ cd nowhere\n", 1, "nowhere does not exist"},
		{"a cd that prints", "$ cd steps\nsteps\n", 1, "prints nothing"},
		{"a failing command that prints nothing", "$ false\n$ ls missing.txt\n", 2, "missing.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := walkPage(t, cloned+"```console\n"+tc.block+"```\n")
			if got := blamed(out); !strings.HasPrefix(got, line(tc.line)) || !strings.Contains(out, tc.why) {
				t.Errorf("the walk blames %q, want %q, and holds no %q:\n%s", got, line(tc.line), tc.why, out)
			}
		})
	}
}

// TestWalkStopsACommandThatNeverEnds: a command that neither ends nor
// listens fails in the walk's wait limit, not the test's, naming its line.
func TestWalkStopsACommandThatNeverEnds(t *testing.T) {
	t.Parallel()
	start := time.Now()
	out := walkWith(t, Walk{Page: "PAGE.md", Source: fakeRepo(t, cloned+"```console\n$ sleep 60\n```\n"), commandWait: time.Second})
	if got := blamed(out); !strings.HasPrefix(got, line(1)+"sleep 60") || !strings.Contains(out, "still running after 1s, and not listening") {
		t.Errorf("the walk blames %q, want %q, in:\n%s", got, line(1)+"sleep 60", out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the walk took %v to give up on a command it bounds at 1s", took)
	}
}

func TestWalkReadsOnlyWhatItCan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, page, why string }{
		{"output before any command", "```console\nhello\n```\n", "PAGE.md:2: a console block starts with a command"},
		{"an empty block", "```console\n```\n", "PAGE.md:1: an empty console block"},
		{"two commands running on", runsOnMarker + "\n```console\n$ echo a\n$ echo b\n```\n", "holds one command, not 2"},
		{"a runs-on command at the end", runsOnMarker + "\n```console\n$ echo a\n```\n", "PAGE.md:3: $ echo a\nthe page ends while it runs"},
		{"a block that never ends", "```console\n$ echo a\n", "never ends"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out := walkPage(t, tc.page); !strings.Contains(out, tc.why) {
				t.Errorf("the walk says %q, want it to hold %q", out, tc.why)
			}
		})
	}
}

// serverPage starts the fake step, curls it, and stops it with ^C; each
// test changes a piece of it.
const serverPage = cloned + "```console\n$ go run ./steps/01-app\nlistening on http://127.0.0.1:8080\n```\n\n" +
	"```console\n$ curl -s http://localhost:8080/x\nhello from /x\n```\n\n" +
	"```console\n$ go run ./steps/01-app\nlistening on http://127.0.0.1:8080\nserved /x\n^Cbye\n```\n"

func TestWalkRunsServers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, old, new string
		blame, why     string // "" for a page that must pass
	}{
		{"as printed", "", "", "", ""},
		{"a server's terminal that shows too much before its ^C", "served /x\n^C", "served /x\nserved /y\n^C",
			"PAGE.md:17: $ go run ./steps/01-app", "+served /y"},
		{"a server's last words changed", "bye\n", "goodbye\n", "PAGE.md:17: $ go run ./steps/01-app", "+^Cgoodbye"},
		{"a server never stopped", "```console\n$ go run ./steps/01-app\nlistening on http://127.0.0.1:8080\nserved /x\n^Cbye\n```\n", "",
			"PAGE.md:7: $ go run ./steps/01-app", "the server it started still runs at the end of the page"},
		{"a server that the page shows ending", "listening on http://127.0.0.1:8080\n```\n\n```console\n$ curl", "```\n\n```console\n$ curl",
			"PAGE.md:7: $ go run ./steps/01-app", "it is a server"},
		{"a second server on a taken port", "```console\n$ curl", "```console\n$ go run ./steps/01-app\nlistening on http://127.0.0.1:8080\n$ curl",
			"PAGE.md:12: $ go run ./steps/01-app", "still runs at the end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page := serverPage
			if tc.old != "" {
				page = strings.Replace(page, tc.old, tc.new, 1)
			}
			walk := walkWrongPage
			if tc.why == "" {
				walk = walkPage
			}
			out := walk(t, page)
			switch got := blamed(out); {
			case tc.why == "" && out != "":
				t.Fatal(out)
			case tc.why != "" && (!strings.HasPrefix(got, tc.blame) || !strings.Contains(out, tc.why)):
				t.Errorf("the walk blames %q, want %q, and holds no %q:\n%s", got, tc.blame, tc.why, out)
			}
		})
	}
}

// TestWalkPressesTwice: two lines starting ^C are two Ctrl-Cs, in a
// command that the same block starts.
func TestWalkPressesTwice(t *testing.T) {
	t.Parallel()
	block := "```console\n$ n=0; trap 'n=$((n+1)); echo press $n; [ $n = 2 ] && exit' INT; echo listening on here; while :; do sleep 0.01; done\n" +
		"listening on here\n^Cpress 1\n^Cpress 2\n```\n"
	if out := walkPage(t, cloned+block); out != "" {
		t.Fatal(out)
	}
	out := walkWrongPage(t, cloned+strings.Replace(block, "^Cpress 2", "^Cpress two", 1))
	if got := blamed(out); !strings.HasPrefix(got, line(1)+"n=0") || !strings.Contains(out, "+^Cpress two") {
		t.Errorf("the walk blames %q, want %q, in:\n%s", got, line(1)+"n=0", out)
	}
}

// TestWalkRunsOn runs a slow command through the next block: the walk
// moves on once its first line is out, and compares all of it after.
func TestWalkRunsOn(t *testing.T) {
	t.Parallel()
	slow := runsOnMarker + "\n```console\n$ echo started; while [ ! -e done ]; do sleep 0.01; done; echo finished\nstarted\nfinished\n```\n\n"
	next := "```console\n$ touch done\n```\n"
	if out := walkPage(t, cloned+slow+next); out != "" {
		t.Fatal(out)
	}
	out := walkWrongPage(t, cloned+strings.Replace(slow, "finished\n```", "done\n```", 1)+next)
	if got := blamed(out); !strings.HasPrefix(got, "PAGE.md:8: $ echo started") || !strings.Contains(out, "+done") {
		t.Errorf("a runs-on command whose end differs: blames %q in\n%s", got, out)
	}
	// The full wait, not walkWrongPage's second: the walk sees the command
	// end as soon as it ends, and a loaded machine may take more than a
	// second to start it.
	out = walkPage(t, cloned+strings.Replace(slow, "echo started;", "exit;", 1)+next)
	if got := blamed(out); !strings.HasPrefix(got, "PAGE.md:8: $ exit;") || !strings.Contains(out, "it ended before the next block ran") {
		t.Errorf("a runs-on command that ends at once: blames %q in\n%s", got, out)
	}
}

func TestWalkChecksTheTestCommand(t *testing.T) {
	t.Parallel()
	ok := cloned + "```console\n$ go test ./...\nok  \tfake/steps/01-app\t0.012s\n```\n"
	if out := walkPage(t, ok); out != "" {
		t.Fatal(out)
	}
	for _, page := range []string{
		strings.Replace(ok, "fake/steps/01-app", "fake/steps/02-other", 1),
		strings.Replace(ok, "ok  \t", "FAIL\t", 1),
	} {
		if got := blamed(walkPage(t, page)); !strings.HasPrefix(got, "PAGE.md:7: $ go test ./...") {
			t.Errorf("a wrong go test ./... block: blames %q", got)
		}
	}
	// A narrower go test is checked the same way.
	narrow := strings.Replace(ok, "./...", "./steps/...", 1)
	if out := walkPage(t, narrow); out != "" {
		t.Fatal(out)
	}
	if got := blamed(walkPage(t, strings.Replace(narrow, "fake/steps/01-app", "fake/other", 1))); !strings.HasPrefix(got, "PAGE.md:7: $ go test ./steps/...") {
		t.Errorf("a wrong go test ./steps/... block: blames %q", got)
	}
}

func TestWalkUpdatesWhatNoMarkerMakes(t *testing.T) {
	t.Parallel()
	page := cloned + "```console\n$ echo hi\nhello\nthere\n$ echo a; echo b\n```\n\n" +
		"<!-- transcript: testdata/x.txtar#y.txt -->\n```console\n$ echo generated\nnot what it prints\n```\n"
	root := fakeRepo(t, page)
	out := walkWith(t, Walk{Page: "PAGE.md", Source: root, Update: true})
	if got := blamed(out); !strings.HasPrefix(got, "PAGE.md:15: $ echo generated") {
		t.Errorf("a generated block that differs: blames %q, want it named, not rewritten, in\n%s", got, out)
	}
	got, _ := os.ReadFile(filepath.Join(root, "PAGE.md"))
	want := strings.Replace(page, "$ echo hi\nhello\nthere\n$ echo a; echo b\n", "$ echo hi\nhi\n$ echo a; echo b\na\nb\n", 1)
	if string(got) != want {
		t.Errorf("after the update, the page is\n%s\nwant\n%s", got, want)
	}
}

func TestWalkCommandsAsRun(t *testing.T) {
	for _, tc := range []struct{ page, run string }{
		{"git clone -q <this repository's URL> x", "git clone -q '/tmp/o r' x"},
		{"go run ./steps/01-app", "go run ./steps/01-app -addr localhost:43210"},
		{"go run ./_work/01-count -max-body-size 10", "go run ./_work/01-count -max-body-size 10 -addr localhost:43210"},
		{"python3 python/01-app.py -port 8080", "python3 python/01-app.py -port 8080 -addr localhost:43210"},
		{"go run ./steps/01-app -addr localhost:8080", "go run ./steps/01-app -addr localhost:43210"},
		{"curl -s 'http://localhost:8080/sleep?d=5s'", "curl -s 'http://localhost:43210/sleep?d=5s'"},
		{"curl -s http://127.0.0.1:8080/x", "curl -s http://127.0.0.1:43210/x"},
		{"echo :80800", "echo :80800"},
		{"go run ./exercises check 01-count", "go run ./exercises check 01-count"},
	} {
		if got := command(tc.page, "/tmp/o r", "43210"); got != tc.run {
			t.Errorf("command(%q) = %q, want %q", tc.page, got, tc.run)
		}
	}
}

func TestWalkNormalize(t *testing.T) {
	port := walkPortRE("43210")
	for _, tc := range []struct{ out, page string }{
		{"listening on http://127.0.0.1:43210\n", "listening on http://127.0.0.1:8080\n"},
		{"time=2026-01-02T03:04:05.678Z level=INFO msg=request path=/ duration=12.5µs request_id=req-2bb53c25-863a-47c8-a6f8-eded2032c64e\n",
			"level=INFO msg=request path=/ duration=DURATION request_id=req-UUID\n"},
		{`level=ERROR msg=panic stack="goroutine 7 [running]:\nmain.boom(...)"` + "\n", `level=ERROR msg=panic stack="goroutine …"` + "\n"},
		{"2026/11/28 00:25:58 wrote cert.pem\r\n", "DATE TIME wrote cert.pem\n"},
		{"go: downloading github.com/rogpeppe/go-internal v1.16.0\nok\n", "ok\n"},
		{"port 43210 alone, and :432100\n", "port 43210 alone, and :432100\n"},
		{"req-not-a-uuid\n", "req-not-a-uuid\n"},
	} {
		if got := walkNormalize(tc.out, port); got != tc.page {
			t.Errorf("walkNormalize(%q) = %q, want %q", tc.out, got, tc.page)
		}
	}
}

// TestWalkUpdateKeepsChecking: -update rewrites what a command prints, but
// a go test block whose packages differ is still an error, and the page
// is left as it is.
func TestWalkUpdateKeepsChecking(t *testing.T) {
	t.Parallel()
	page := cloned + "```console\n$ go test ./...\nok  \tfake/steps/02-other\t0.012s\n```\n"
	root := fakeRepo(t, page)
	out := walkWith(t, Walk{Page: "PAGE.md", Source: root, Update: true})
	if got := blamed(out); !strings.HasPrefix(got, "PAGE.md:7: $ go test ./...") || !strings.Contains(out, "fake/steps/01-app") {
		t.Errorf("-update on a go test block with other packages: blames %q, want it named, in\n%s", got, out)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "PAGE.md")); string(got) != page {
		t.Errorf("-update rewrote a go test block:\n%s", got)
	}
}

// TestWalkHoldsLinesThatLookLikeFiles: a command may print a line that the
// script's archive would read as a file's name, "-- x --": the walk
// checks it, and -update writes it on the page as it came.
func TestWalkHoldsLinesThatLookLikeFiles(t *testing.T) {
	t.Parallel()
	page := cloned + "```console\n$ echo '-- x --'\n-- x --\n```\n"
	if out := walkPage(t, page); out != "" {
		t.Fatal(out)
	}
	wrong := strings.Replace(page, "\n-- x --\n```", "\n-- y --\n```", 1)
	if got := blamed(walkWrongPage(t, wrong)); !strings.HasPrefix(got, "PAGE.md:7: $ echo") {
		t.Errorf("a line like a file's name that differs: blames %q", got)
	}
	root := fakeRepo(t, wrong)
	if out := walkWith(t, Walk{Page: "PAGE.md", Source: root, Update: true}); out != "" {
		t.Fatal(out)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "PAGE.md")); string(got) != page {
		t.Errorf("after -update, the page is\n%s\nwant\n%s", got, page)
	}
}
