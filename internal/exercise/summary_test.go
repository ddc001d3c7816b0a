package exercise

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"

	"github.com/rogpeppe/go-internal/txtar"
)

// summaryOf returns what Summarize says of a real failed check kept in
// testdata/KIND: the check's source then (check.txtar), and the log
// testscript wrote of it (log), as script.Run returned it; file is the
// check's path, as the log names it.
func summaryOf(t *testing.T, kind, file string) (summary, source, log string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", kind, "check.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", kind, "log"))
	if err != nil {
		t.Fatal(err)
	}
	source, log = string(src), string(data)
	summary = Summarize(file, source, log)
	if p := summaryProblem(file, source, log, summary); p != "" {
		t.Errorf("the summary %s", p)
	}
	return summary, source, log
}

// wantLines fails t for each of want that summary does not hold.
func wantLines(t *testing.T, summary string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(summary, w) {
			t.Errorf("the summary lacks %q:\n%s", w, summary)
		}
	}
}

// TestSummaryOfACmp: 01-json's check on the wrong solution untrimmed, a
// cmp that shows a diff. Its summary is the one the step as shipped gets,
// which docs/exercises.md shows.
func TestSummaryOfACmp(t *testing.T) {
	got, _, _ := summaryOf(t, "cmp", "exercises/01-json/check.txtar")
	wantLines(t, got,
		"In short, exercises/01-json/check.txtar:8 failed. That part of the check says:\n"+
			"\t01-json: a client that sends Accept: application/json gets the greeting\n"+
			"\tas JSON; any other client gets the plain text, as before.\n",
		"The check ran   line 7: exec curl -si -H 'Accept: application/json' http://$ADDR\n",
		"and expected    line 8: cmp stdout json.txt\n"+
			"                its output to be json.txt, shown in the check\n",
		"What came:      stdout and json.txt differ\n"+
			"                (see the diff above: a line marked - is what came, one marked + what the check expected)\n",
		"($ADDR is the address the check ran your server on.)\n",
	)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "exercises.md"))
	if err != nil || !strings.Contains(string(doc), "\n```\n"+got+"```\n") {
		t.Errorf("docs/exercises.md does not show this summary of 01-json (%v):\n%s", err, got)
	}
}

// TestSummaryOfAnExitStatus: 04-add-filter's check as it was in 0f6ba68,
// on a copy that accepts a config without value, and fails to listen.
func TestSummaryOfAnExitStatus(t *testing.T) {
	got, _, _ := summaryOf(t, "exits", "exercises/04-add-filter/check.txtar")
	wantLines(t, got,
		" That part of the check says:\n\tWithout value, the config is refused with FILE:LINE, before listening.\n",
		"The check ran   line 13: exits 2 04-pipeline -config no-value.ini -addr $ADDR\n"+
			"and expected    it to exit with status 2\n"+ // the line once: it runs and checks
			"What came:      04-pipeline exited with status 1, want 2\n", // without "exits: "
	)
	if strings.Contains(got, "04-add-filter: a filter") || strings.Contains(got, "diff") {
		t.Errorf("the summary quotes another part of the check, or speaks of a diff:\n%s", got)
	}
}

// TestSummaryOfAStoppedServer: 01-count's check on the wrong solution
// unsynchronised, built with -race: the server's stderr, read once wait
// stopped it, has a data race. The server is the one line 5 started.
func TestSummaryOfAStoppedServer(t *testing.T) {
	got, _, _ := summaryOf(t, "wait", "exercises/01-count/check.txtar")
	wantLines(t, got,
		"That part of the check says:\n\tThe count is changed safely: the race detector saw no race (when the\n",
		"The check ran   line 5: ! exec 01-app -addr $ADDR &srv&\n"+
			"stopped it      line 30: wait srv\n"+
			"and expected    line 31: ! stderr 'WARNING: DATA RACE'\n"+
			"                its stderr not to match WARNING: DATA RACE\n",
		"($ADDR is the address the check ran your server on.)\n",
	)
	if strings.Contains(got, "\n($SRC") || strings.Contains(got, "# build") {
		t.Errorf("the summary explains $SRC, which no line it quotes has, or quotes # build:\n%s", got)
	}
}

// TestSummaryOfTheFirstPart: the comment of a check's first part is its
// headline, without its "# build:" line. The log is the FAIL line alone,
// all Summarize reads of one: 01-count's check on the wrong solution
// every-request.
func TestSummaryOfTheFirstPart(t *testing.T) {
	const file = "exercises/01-count/check.txtar"
	source, err := os.ReadFile(filepath.Join("testdata", "wait", "check.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	got := Summarize(file, string(source), "FAIL: "+file+":9: no match for `^0$` found in stdout\n")
	wantLines(t, got,
		"That part of the check says:\n"+
			"\t01-count: GET /count answers how many greetings / has served so far,\n"+
			"\tcounted safely while requests arrive at once.\n"+
			"The check ran   line 8: exec curl -s http://$ADDR/count\n",
	)
	if strings.Contains(got, "build") {
		t.Errorf("the summary quotes the check's # build: line:\n%s", got)
	}
}

// TestSummaryOfACustomCommand: 03-shutdown-duration's check on the wrong
// solution hard-coded: shutdowntook, one of the harness's commands.
func TestSummaryOfACustomCommand(t *testing.T) {
	got, _, _ := summaryOf(t, "custom", "exercises/03-shutdown-duration/check.txtar")
	wantLines(t, got,
		"That part of the check says:\n\tA short request in flight, on a server that has been up a while.\n",
		"The check ran   line 7: exec 03-server -addr $ADDR &srv&\n"+
			"stopped it      line 13: wait srv\n"+
			"and expected    line 15: shutdowntook req '^shutdown complete in (\\S+)$'\n"+
			"                the shutdown's time in its stderr to be measured: as long as request req held it, no longer than the check saw\n"+
			"What came:      the server says its shutdown took 1.234s, but it began and ended within 564ms: it did not measure it\n",
	)
}

// TestExpectationsInPlainWords says what each kind of line a check uses
// asks for.
func TestExpectationsInPlainWords(t *testing.T) {
	for line, want := range map[string]string{
		`stdout '^2$'`:                      "its output to match ^2$",
		`! stderr 'it''s'`:                  "its stderr not to match it's",
		`cmp stdout json.txt`:               "its output to be json.txt, shown in the check",
		`cmpenv stderr made.txt`:            "its stderr to be made.txt",
		`exits 2 04-pipeline -config x.ini`: "it to exit with status 2",
		`! exec 04-pipeline`:                "it to fail: to exit with a status other than 0",
		`[unix] exec 03-server`:             "it to succeed: to exit with status 0",
		`burst 50 http://$ADDR/`:            "each of 50 GETs of http://$ADDR/, sent at once, to answer 200",
		`guardedwrites $SRC`:                "no handler in $SRC to change a shared variable without a lock",
		`waitfor $ADDR`:                     "a server to accept connections on $ADDR",
		`! exists $WORK/api.sock`:           "the file $WORK/api.sock not to exist",
		`! waitfor $ADDR`:                   "nothing to accept connections on $ADDR any more",
		`waitfor http://$ADDR/ 'a b'`:       "that line to pass",
		`kill -INT srv`:                     "that line to pass",
	} {
		args, neg := command(line)
		check := "exec true\n-- json.txt --\n"
		if got := expectation(args, neg, txtar.Parse([]byte(check))); got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}

// TestSummaryProblemRejects: the proof of the exercises rejects a summary
// that lacks the line that failed, or the one that ran the program, or is
// empty, and takes a whole one.
func TestSummaryProblemRejects(t *testing.T) {
	const file = "exercises/01-json/check.txtar"
	whole, source, log := summaryOf(t, "cmp", file)
	without := func(prefix string) string {
		var kept []string
		for _, line := range strings.Split(whole, "\n") {
			if !strings.HasPrefix(line, prefix) {
				kept = append(kept, line)
			}
		}
		return strings.Join(kept, "\n")
	}
	for name, summary := range map[string]string{
		"no command":     without("The check ran"),
		"no expectation": without("and expected"),
		"empty":          "\n",
	} {
		if summaryProblem(file, source, log, summary) == "" {
			t.Errorf("%s: summaryProblem takes\n%s", name, summary)
		}
	}
	if p := summaryProblem(file, source, "no FAIL line\n", Summarize(file, source, "no FAIL line\n")); p == "" {
		t.Error("summaryProblem takes a summary of a log with no FAIL line")
	}
	if p := summaryProblem(file, source, log, whole); p != "" {
		t.Errorf("summaryProblem refuses a whole summary: it %s", p)
	}
}

// TestSummaryOfABuildFailure builds a copy of step 01 that does not
// compile, as go run ./exercises check does, and reads what it says.
func TestSummaryOfABuildFailure(t *testing.T) {
	src := t.TempDir()
	if err := proc.CopyProgram(filepath.Join("..", "..", "steps", "01-app"), src); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(src, "main.go")
	data, _ := os.ReadFile(main)
	os.WriteFile(main, []byte(strings.Replace(string(data), "return mux", "return muxx", 1)), 0o666)
	err := proc.BuildProgram(src, t.TempDir(), "01-app")
	if err == nil {
		t.Fatal("a copy that cannot compile was built")
	}
	got := buildDiagnosis(err)
	if !strings.HasPrefix(got, "Your program does not build. go build says:\n\t") ||
		!strings.Contains(got, "main.go:") || !strings.Contains(got, "undefined: muxx") ||
		strings.Contains(got, "# command-line-arguments") || strings.Contains(got, src) {
		t.Errorf("buildDiagnosis says:\n%s", got)
	}
}
