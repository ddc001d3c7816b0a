package page

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wsgi-to-go/internal/probe"
)

// inRepo lays out files in a new folder and makes it the current one, as
// the repository's root is for CheckMarkers.
func inRepo(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

// check renders page, PAGE.md, as CheckMarkers does.
func check(t *testing.T, page string, update bool) (string, []string) {
	t.Helper()
	markers, _ := readMarkers("PAGE.md", strings.SplitAfter(page, "\n"))
	got, problems := renderMarkers("PAGE.md", []byte(page), findPython(t, markers), update)
	return string(got), problems
}

// testMarker checks that marker, on line 3 of a page, with files laid out,
// makes block: a stale block is reported, and rewritten with update; the
// right one is left alone.
func testMarker(t *testing.T, files map[string]string, marker, block string) {
	t.Helper()
	inRepo(t, files)
	page := func(body string) string { return "# A page\n\n" + marker + "\n```\n" + body + "```\n\nafter\n" }
	if got, problems := check(t, page("stale\n"), true); got != page(block) || len(problems) != 0 {
		t.Errorf("%s, updated, makes\n%s\nand %q; want\n%s", marker, got, problems, page(block))
	}
	if _, problems := check(t, page("stale\n"), false); len(problems) != 1 ||
		!strings.HasPrefix(problems[0], "PAGE.md:3: the block after this marker differs") {
		t.Errorf("%s, with a stale block: %q, want one problem at PAGE.md:3", marker, problems)
	}
	if got, problems := check(t, page(block), false); got != page(block) || len(problems) != 0 {
		t.Errorf("%s, with the right block: %q, and the page became\n%s", marker, problems, got)
	}
}

const goSource = `package main

import "net/http"

// greeting is what the app says.
const greeting = "hello\n"

// greeter greets every request.
type greeter struct{}

// ServeHTTP writes the greeting.
func (g *greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte(greeting))
}

func newRegistry() map[string]int {
	r := map[string]int{"other": 1}
	if r != nil {
		r["healthcheck"] = 2
	}
	return r
}
`

func TestMarkerCodeGoDeclaration(t *testing.T) {
	testMarker(t, map[string]string{"main.go": goSource}, "<!-- code: main.go#greeter -->",
		"// greeter greets every request.\ntype greeter struct{}\n")
}

func TestMarkerCodeGoMethod(t *testing.T) {
	testMarker(t, map[string]string{"main.go": goSource}, "<!-- code: main.go#greeter.ServeHTTP -->",
		"// ServeHTTP writes the greeting.\nfunc (g *greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n"+
			"\tw.Write([]byte(greeting))\n}\n")
}

func TestMarkerCodeGoStatement(t *testing.T) {
	testMarker(t, map[string]string{"main.go": goSource}, "<!-- code: main.go#newRegistry:healthcheck -->",
		"if r != nil {\n\tr[\"healthcheck\"] = 2\n}\n")
}

func TestMarkerCodeWholeFile(t *testing.T) {
	ini := "[app:main]\nuse = egg:x\n\n# the end\n"
	testMarker(t, map[string]string{"steps/x/api-paste.ini": ini}, "<!-- code: steps/x/api-paste.ini -->", ini)
}

const scriptSource = `# A script.
! exec 01-app -addr $ADDR &srv&
exec curl -s http://$ADDR/x?y=1
cmp stdout greeting.txt
exits 2 01-app -bad
cmp stderr usage.txt
[python] exec 01-app -v -addr $ADDR
[python] cmp stdout twin.txt
kill srv
wait srv
cmp stderr srv.txt

-- greeting.txt --
hello from $ADDR
-- usage.txt --
flag provided but not defined: -bad
-- twin.txt --
a twin
-- srv.txt --
shutting down
`

func TestMarkerTranscript(t *testing.T) {
	files := map[string]string{"testdata/01-app.txtar": scriptSource}
	for _, tc := range []struct{ file, block string }{
		{"greeting.txt", "$ curl -s 'http://localhost:8080/x?y=1'\nhello from 127.0.0.1:8080\n"},
		{"usage.txt", "$ go run ./steps/01-app -bad\nflag provided but not defined: -bad\nexit status 2\n"},
		{"twin.txt", "$ python3 python/01-app.py -v\na twin\n"},
		{"srv.txt", "$ go run ./steps/01-app\nshutting down\n"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			testMarker(t, files, "<!-- transcript: testdata/01-app.txtar#"+tc.file+" -->", tc.block)
		})
	}
}

func TestMarkerOutput(t *testing.T) {
	testMarker(t, map[string]string{"testdata/01-app.txtar": scriptSource},
		"<!-- output: testdata/01-app.txtar#greeting.txt -->", "hello from 127.0.0.1:8080\n")
}

// twoSteps are two steps' folders: a changed file, an unchanged one, a new
// file, a new test, and a new package.
var twoSteps = map[string]string{
	"steps/01-a/main.go":      "package main\n\nfunc main() {\n\tserve()\n}\n\nfunc a() {}\nfunc b() {}\nfunc c() {}\nfunc d() {}\n\nfunc serve() {}\n",
	"steps/01-a/same.go":      "package main\n",
	"steps/02-b/main.go":      "package main\n\nfunc main() {\n\tserve(newHandler())\n}\n\nfunc a() {}\nfunc b() {}\nfunc c() {}\nfunc d() {}\n\nfunc serve(h int) {}\n",
	"steps/02-b/same.go":      "package main\n",
	"steps/02-b/handler.go":   "package main\n\nfunc newHandler() int { return 1 }\n",
	"steps/02-b/main_test.go": "package main\n",
	"steps/02-b/lib/lib.go":   "// Package lib is a package.\npackage lib\n\n// Do does it.\nfunc Do() {}\n",
}

func TestMarkerDiff(t *testing.T) {
	testMarker(t, twoSteps, "<!-- diff: steps/01-a steps/02-b -->", stepsDiff)
}

func TestMarkerHunk(t *testing.T) {
	testMarker(t, twoSteps, "<!-- hunk: steps/01-a steps/02-b main.go#newHandler( -->", stepsHunk)
}

// stepsDiff is twoSteps' diff.
const stepsDiff = `# new tests in steps/02-b: main_test.go
# unchanged in steps/02-b: same.go
diff /dev/null steps/02-b/handler.go
--- /dev/null
+++ steps/02-b/handler.go
@@ -0,0 +1,3 @@
+package main
+
+func newHandler() int { return 1 }
diff steps/01-a/main.go steps/02-b/main.go
--- steps/01-a/main.go
+++ steps/02-b/main.go
@@ -1,7 +1,7 @@
 package main
 
 func main() {
-	serve()
+	serve(newHandler())
 }
 
 func a() {}
@@ -9,4 +9,4 @@
 func c() {}
 func d() {}
 
-func serve() {}
+func serve(h int) {}
# new package lib (steps/02-b/lib): Package lib is a package.
# its API:
#   func Do()
# its files:
#   lib.go: Package lib is a package.
`

// stepsHunk is the hunk of twoSteps' main.go that holds newHandler(, and
// not the one that changes serve's parameters.
const stepsHunk = `--- steps/01-a/main.go
+++ steps/02-b/main.go
@@ -1,7 +1,7 @@
 package main
 
 func main() {
-	serve()
+	serve(newHandler())
 }
 
 func a() {}
`

func TestParseMarker(t *testing.T) {
	for _, tc := range []struct {
		line string
		want marker
	}{
		{"<!-- code: a/main.go#greeter.ServeHTTP -->", marker{Kind: "code", File: "a/main.go", Name: "greeter.ServeHTTP"}},
		{"<!-- code: a/r.go#f:getContext(App -->", marker{Kind: "code", File: "a/r.go", Name: "f:getContext(App"}},
		{"<!-- code: a/api-paste.ini -->", marker{Kind: "code", File: "a/api-paste.ini"}},
		{"<!-- transcript: testdata/x.txtar#y.txt -->", marker{Kind: "transcript", File: "testdata/x.txtar", Name: "y.txt"}},
		{"<!-- output: testdata/x.txtar#y.txt -->", marker{Kind: "output", File: "testdata/x.txtar", Name: "y.txt"}},
		{"<!-- diff: steps/01-a steps/02-b -->", marker{Kind: "diff", Old: "steps/01-a", New: "steps/02-b"}},
		{"<!-- hunk: steps/01-a steps/02-b main.go#http.Serve(ln, -->",
			marker{Kind: "hunk", Old: "steps/01-a", New: "steps/02-b", File: "main.go", Text: "http.Serve(ln,"}},
	} {
		tc.want.Line = 7
		got, ok, err := parseMarker(tc.line, 7)
		if !ok || err != nil || got != tc.want {
			t.Errorf("parseMarker(%q) = %+v, %v, %v; want %+v", tc.line, got, ok, err, tc.want)
		}
	}
	for _, line := range []string{"<!-- walk: runs on -->", "<!-- a comment -->", "code: a.go#f", " <!-- code: a.go#f -->"} {
		if _, ok, err := parseMarker(line, 1); ok || err != nil {
			t.Errorf("parseMarker(%q) is a marker (%v), want none", line, err)
		}
	}
}

func TestMarkerMalformed(t *testing.T) {
	code, transcript, output := markerForms["code"], markerForms["transcript"], markerForms["output"]
	diff, hunk := markerForms["diff"], markerForms["hunk"]
	for _, tc := range []struct{ line, form string }{
		{"<!-- code: main.go#f main.go#g -->", code},
		{"<!-- code: main.go# -->", code},
		{"<!-- code: #f -->", code},
		{"<!-- code: -->", code},
		{"<!-- code:main.go#f -->", code},
		{"<!-- code: main.go#f-->", code},
		{"<!-- code: main.go#f", code},
		{"<!-- transcript: testdata/x.txtar -->", transcript},
		{"<!-- output: testdata/x.txtar#a b -->", output},
		{"<!-- diff: steps/01-a -->", diff},
		{"<!-- diff: steps/01-a steps/02-b main.go#f -->", diff},
		{"<!-- diff: steps/01-a#x steps/02-b -->", diff},
		{"<!-- hunk: steps/01-a steps/02-b main.go -->", hunk},
		{"<!-- hunk: steps/01-a steps/02-b main.go#f g -->", hunk},
		{"<!-- hunk: steps/01-a steps/02-b#x main.go#f -->", hunk},
		{"<!-- hunk: steps/01-a steps/02-b -->", hunk},
	} {
		page := "intro\n" + tc.line + "\n```\nas it was\n```\n"
		got, problems := renderMarkers("PAGE.md", []byte(page), nil, true)
		if want := "PAGE.md:2: want " + tc.form; len(problems) != 1 || problems[0] != want {
			t.Errorf("%s: %q, want %q", tc.line, problems, want)
		}
		if string(got) != page {
			t.Errorf("%s: the page became\n%s", tc.line, got)
		}
	}
	for _, page := range []string{
		"<!-- code: main.go#f -->\n",
		"<!-- code: main.go#f -->\n\n```\nx\n```\n",
		"<!-- code: main.go#f -->\n```\nnever closed\n",
	} {
		got, problems := renderMarkers("PAGE.md", []byte(page), nil, true)
		if len(problems) != 1 || problems[0] != "PAGE.md:1: a marker must be followed by a fenced block (```)" || string(got) != page {
			t.Errorf("%q: %q, and the page became %q", page, problems, got)
		}
	}
	// A marker inside a block is text, as in a page that shows one.
	page := "```markdown\n<!-- code: nowhere.go#f -->\n<!-- code: bad bad -->\n```\n"
	if got, problems := renderMarkers("PAGE.md", []byte(page), nil, true); len(problems) != 0 || string(got) != page {
		t.Errorf("markers inside a block: %q, and the page became %q", problems, got)
	}
}

// TestMarkerSourceErrors checks that a marker whose source lacks what it
// names is reported at its line, and its block left as it is.
func TestMarkerSourceErrors(t *testing.T) {
	inRepo(t, map[string]string{"main.go": goSource, "python/app.py": pySource, "testdata/01-app.txtar": scriptSource})
	cases := []struct{ marker, problem string }{
		{"<!-- code: main.go#nothing -->", `main.go has no declaration "nothing"`},
		{"<!-- code: main.go#greeter.Nothing -->", `main.go has no declaration "greeter.Nothing"`},
		{"<!-- code: main.go#newRegistry:nothing -->", `no statement of newRegistry holds "nothing"`},
		{"<!-- code: main.go#greeter:x -->", "greeter is not a function with a body"},
		{"<!-- code: gone.go -->", "open gone.go: no such file or directory"},
		{"<!-- transcript: testdata/01-app.txtar#nothing.txt -->", `testdata/01-app.txtar has no file "nothing.txt"`},
		{"<!-- output: testdata/01-app.txtar#nothing.txt -->", `testdata/01-app.txtar has no file "nothing.txt"`},
		{"<!-- transcript: testdata/01-app.txtar#-- -->", `testdata/01-app.txtar has no file "--"`},
		{"<!-- diff: steps/01-a steps/02-b -->", "open steps/01-a: no such file or directory"},
		{"<!-- hunk: steps/01-a steps/02-b main.go#x -->", "open steps/01-a/main.go: no such file or directory"},
	}
	if py, _ := probe.Python(t); py != nil {
		cases = append(cases,
			struct{ marker, problem string }{"<!-- code: python/app.py#Greeter.nothing -->", "python/app.py has no def or class Greeter.nothing"},
			struct{ marker, problem string }{"<!-- code: python/app.py#text -->", "python/app.py has no def or class text"},
			struct{ marker, problem string }{"<!-- code: python/gone.py#f -->", "python/gone.py: [Errno 2] No such file or directory: 'python/gone.py'"})
	}
	for _, tc := range cases {
		page := "\n" + tc.marker + "\n```\nas it was\n```\n"
		got, problems := check(t, page, true)
		if want := "PAGE.md:2: " + tc.problem; len(problems) != 1 || problems[0] != want {
			t.Errorf("%s: %q, want %q", tc.marker, problems, want)
		}
		if got != page {
			t.Errorf("%s: the page became\n%s", tc.marker, got)
		}
	}
}

func TestSyncTasks(t *testing.T) {
	inRepo(t, map[string]string{"exercises/01-count/task.md": "Count the\ngreetings.\n"})
	page := "- **`01-count`**: Count the greetings.\n- **`01-count`**: Count them.\n- **`09-none`**: Nothing.\n- not a task\n"
	lines := strings.SplitAfter(page, "\n")
	problems := syncTasks("PAGE.md", lines, false)
	if len(problems) != 2 || !strings.HasPrefix(problems[0], "PAGE.md:2: exercise 01-count: the page says\n\tCount them.\n") ||
		!strings.HasPrefix(problems[1], "PAGE.md:3: exercise 09-none: open exercises/09-none/task.md") {
		t.Errorf("syncTasks: %q", problems)
	}
	if got := strings.Join(lines, ""); got != page {
		t.Errorf("without update, the page became\n%s", got)
	}
	problems = syncTasks("PAGE.md", lines, true)
	want := strings.Replace(page, "Count them.", "Count the greetings.", 1)
	if got := strings.Join(lines, ""); got != want || len(problems) != 1 {
		t.Errorf("with update, the page became\n%s\nwith %q; want\n%s", got, problems, want)
	}
}
