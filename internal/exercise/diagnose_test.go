package exercise

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
)

// Real logs of failed checks, as runScript records them: what Diagnose
// must turn into a learner's words.

// cmpLog is 01-json's check on the step as shipped: a cmp, with its diff.
// The greeting's first character is a space.
const cmpLog = `# 01-json: a client that sends Accept: application/json gets the greeting
# as JSON; any other client gets the plain text, as before. (0.030s)
> exec 01-app -addr $ADDR &srv&
> waitfor $ADDR
> exec curl -si -H 'Accept: application/json' http://$ADDR
[stdout]
HTTP/1.1 200 OK
Content-Type: text/plain
Content-Length: 59

 From VietStack: Wellcome the 8th Meetup of VietOpenStack 
> cmp stdout json.txt
diff stdout json.txt
--- stdout
+++ json.txt
@@ -1,5 +1,5 @@
 HTTP/1.1 200 OK
-Content-Type: text/plain
-Content-Length: 59
+Content-Type: application/json
+Content-Length: 71
 
- From VietStack: Wellcome the 8th Meetup of VietOpenStack 
+{"message":"From VietStack: Wellcome the 8th Meetup of VietOpenStack"}

FAIL: exercises/01-json/check.txtar:8: stdout and json.txt differ
[background] 01-app -addr 127.0.0.1:33831: signal: interrupt
[stderr]
listening on http://127.0.0.1:33831

`

// exitsLog is 04-add-filter's check on a copy that does not refuse a
// config without value: an exit status, not the one the check wants.
const exitsLog = `# 04-add-filter: a filter registered as served_by, with a required
# option value, sets X-Served-By: VALUE; a config names it like any other. (0.026s)
# Without value, the config is refused with FILE:LINE, before listening.
# (The server above still holds $ADDR: a config that is not refused fails
# to listen there, and exits at once.) (0.097s)
> exits 2 04-pipeline -config no-value.ini -addr $ADDR
[stderr]
04-pipeline: listen tcp 127.0.0.1:39085: bind: address already in use

FAIL: exercises/04-add-filter/check.txtar:13: exits: 04-pipeline exited with status 1, want 2
[background] 04-pipeline -config served.ini -addr 127.0.0.1:39085: exit status 0
[stderr]
listening on http://127.0.0.1:39085
interrupt: shutting down, waiting up to 10s for requests in flight: 0
shutdown complete

`

func TestDiagnoseACmp(t *testing.T) {
	got := Diagnose(cmpLog, "")
	for _, want := range []string{
		"The check ran:\n\tcurl -si -H 'Accept: application/json' http://$ADDR\n",
		"a line marked - is your program's, a line marked + is the check's",
		"\t-|  From VietStack: Wellcome the 8th Meetup of VietOpenStack \n", // the leading space, seen
		"\t+| {\"message\":\"From VietStack: Wellcome the 8th Meetup of VietOpenStack\"}\n",
		"\t | HTTP/1.1 200 OK\n",
		"What failed: your program printed something else: see the lines marked - and +\n",
		"(line 8 of exercises/01-json/check.txtar)\n",
		"That part of the check says:\n\t01-json: a client that sends Accept: application/json gets the greeting\n",
		"($ADDR is the address the check ran your server on.)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Diagnose of a cmp's failure lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "It printed:") {
		t.Errorf("with a diff, Diagnose shows the output twice:\n%s", got)
	}
	if p := diagnosisProblem(cmpLog, got); p != "" {
		t.Error(p)
	}
}

func TestDiagnoseAnExitStatus(t *testing.T) {
	got := Diagnose(exitsLog, "")
	for _, want := range []string{
		"The check ran:\n\t04-pipeline -config no-value.ini -addr $ADDR\n",
		"On stderr:\n\t| 04-pipeline: listen tcp ",
		"What failed: 04-pipeline exited with status 1; the check wants status 2\n",
		"That part of the check says:\n\tWithout value, the config is refused with FILE:LINE, before listening.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Diagnose of an exit status lacks %q:\n%s", want, got)
		}
	}
	for _, never := range []string{"marked -", "diff", "shutdown complete", "exits:"} {
		if strings.Contains(got, never) {
			t.Errorf("Diagnose of an exit status says %q:\n%s", never, got)
		}
	}
	if p := diagnosisProblem(exitsLog, got); p != "" {
		t.Error(p)
	}
}

// TestDiagnoseAStoppedServer reads a server's output at wait, after a
// script that started it in a part the log does not show.
func TestDiagnoseAStoppedServer(t *testing.T) {
	log := "# The count is changed safely. (0.002s)\n> kill -INT srv\n> wait srv\n[stderr]\nlistening on http://127.0.0.1:1\nWARNING: DATA RACE\n> ! stderr 'WARNING: DATA RACE'\n" +
		"FAIL: exercises/01-count/check.txtar:31: unexpected match for `WARNING: DATA RACE` found in stderr: WARNING: DATA RACE\n"
	got := Diagnose(log, "! exec 01-app -addr $ADDR &srv&\nwaitfor $ADDR\n")
	for _, want := range []string{
		"The check ran:\n\t01-app -addr $ADDR    (what it printed, once it stopped)\nOn stderr:\n\t| listening on",
		"\t| WARNING: DATA RACE\n",
		"What failed: the check wanted its stderr not to match 'WARNING: DATA RACE'\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Diagnose lacks %q:\n%s", want, got)
		}
	}
}

// TestDiagnoseABuildFailure builds a copy of step 01 that does not compile,
// as go run ./exercises check does, and reads what it says.
func TestDiagnoseABuildFailure(t *testing.T) {
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
