package page

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/exercise"
	"wsgi-to-go/internal/script"
)

// A marker in a markdown file names where the fenced block after it comes
// from, so the text cannot drift from the code:
//
//	<!-- code: steps/01-app/main.go#greeter -->        a declaration, with its doc comment
//	<!-- code: steps/01-app/main.go#greeter.ServeHTTP --> a method
//	<!-- code: steps/04-pipeline/registry.go#newRegistry:healthcheck -->
//	                                                   the first statement in a function that holds a word
//	<!-- code: python/01-app.py#Greeter -->            a Python def or class (pyexcerpt.go)
//	<!-- code: steps/04-pipeline/api-paste.ini -->      a whole file
//	<!-- transcript: testdata/01-app.txtar#greeting.txt --> a command and what it printed
//	<!-- output: testdata/03-server-limits.txtar#slow.txt --> what a script's own command printed
//	<!-- diff: steps/01-app steps/02-middleware -->    what a step changed
//	<!-- hunk: steps/01-app steps/02-middleware main.go#newHandler( -->
//	                                                   the hunks of that diff whose changed lines hold the text
//
// A line inside a fenced block is never a marker.
type marker struct {
	Kind string // code, transcript, output, diff or hunk
	File string // the file quoted: for a hunk, the file in both steps
	Name string // after File's #: a declaration ("" for the whole file), or a script's file
	Old  string // diff and hunk: the step before
	New  string // diff and hunk: the step after
	Text string // hunk: what a changed line holds
	Line int    // the marker's line in the page, from 1; its block opens on the next
	End  int    // the line of its block's closing fence
}

// markerForms is each kind of marker's form, for the error a malformed one
// gets.
var markerForms = map[string]string{
	"code":       "<!-- code: FILE#NAME --> or <!-- code: FILE -->",
	"transcript": "<!-- transcript: SCRIPT#FILE -->",
	"output":     "<!-- output: SCRIPT#FILE -->",
	"diff":       "<!-- diff: OLDSTEP NEWSTEP -->",
	"hunk":       "<!-- hunk: OLDSTEP NEWSTEP FILE#TEXT -->",
}

// parseMarker reads line, the page's line n, as a marker. ok is false for a
// line that is no marker, such as <!-- walk: runs on -->; a line that
// starts as one, <!-- KIND:, and is not in KIND's form gets an error that
// shows the form.
func parseMarker(line string, n int) (m marker, ok bool, err error) {
	rest, isComment := strings.CutPrefix(line, "<!-- ")
	kind, args, _ := strings.Cut(rest, ":")
	form, known := markerForms[kind]
	if !isComment || !known {
		return marker{}, false, nil
	}
	m = marker{Kind: kind, Line: n}
	fields := strings.Fields(strings.TrimSuffix(args, "-->"))
	good := strings.HasPrefix(args, " ") && strings.HasSuffix(line, " -->")
	switch {
	case kind == "diff" && len(fields) == 2:
		m.Old, m.New = fields[0], fields[1]
		good = good && !strings.Contains(args, "#")
	case kind == "hunk" && len(fields) == 3:
		m.Old, m.New = fields[0], fields[1]
		m.File, m.Text, _ = strings.Cut(fields[2], "#")
		good = good && !strings.Contains(m.Old+m.New, "#") && m.File != "" && m.Text != ""
	case kind == "code" && len(fields) == 1:
		var hash bool
		m.File, m.Name, hash = strings.Cut(fields[0], "#")
		good = good && m.File != "" && hash == (m.Name != "") // FILE, or FILE#NAME
	case (kind == "transcript" || kind == "output") && len(fields) == 1:
		m.File, m.Name, _ = strings.Cut(fields[0], "#")
		good = good && m.File != "" && m.Name != ""
	default:
		good = false
	}
	if !good {
		return m, true, fmt.Errorf("want %s", form)
	}
	return m, true, nil
}

// readMarkers returns the markers in a page's lines, each with the fenced
// block after it, and a PAGE:LINE problem for each marker that is malformed
// or has no block.
func readMarkers(doc string, lines []string) ([]marker, []string) {
	var markers []marker
	var problems []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\n")
		if strings.HasPrefix(line, "```") {
			if i = fenceEnd(lines, i); i < 0 {
				break // a block that never ends
			}
			continue
		}
		m, ok, err := parseMarker(line, i+1)
		if !ok {
			continue
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", doc, i+1, err))
			continue
		}
		if i+1 == len(lines) || !strings.HasPrefix(lines[i+1], "```") || fenceEnd(lines, i+1) < 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: a marker must be followed by a fenced block (```)", doc, i+1))
			continue
		}
		i = fenceEnd(lines, i+1)
		m.End = i + 1
		markers = append(markers, m)
	}
	return markers, problems
}

// fenceEnd is the index of the line that closes the fenced block opened
// on lines[open], or -1 where it never closes.
func fenceEnd(lines []string, open int) int {
	for j := open + 1; j < len(lines); j++ {
		if strings.TrimRight(lines[j], "\n") == "```" {
			return j
		}
	}
	return -1
}

// CheckMarkers checks every marker in the markdown files docs: the block
// after each must be what its source makes. With update, it rewrites the
// blocks instead. It also checks each exercise's task line (syncTasks).
// The Python excerpts are found by one run of python3 for all the docs;
// with no python3, their blocks are left as they are, and it says so.
func CheckMarkers(t *testing.T, update bool, docs ...string) {
	srcs := make([][]byte, len(docs))
	var all []marker
	for i, doc := range docs {
		src, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		srcs[i] = src
		markers, _ := readMarkers(doc, strings.SplitAfter(string(src), "\n"))
		all = append(all, markers...)
	}
	python := findPython(t, all)
	for i, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			src := srcs[i]
			got, problems := renderMarkers(doc, src, python, update)
			for _, p := range problems {
				t.Error(p)
			}
			if bytes.Equal(got, src) {
				return
			}
			if update {
				if err := os.WriteFile(doc, got, 0o666); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s updated", doc)
				return
			}
			t.Errorf("%s differs from the code and scripts it quotes.\n"+
				"If the code and scripts are right, run: %s", doc, script.UpdateCommand)
		})
	}
}

// renderMarkers returns doc with the block after every marker made anew
// from its source, and a FILE:LINE line for every marker it cannot render
// and every task line that is not its exercise's. python holds where the
// Python excerpts lie (findPython).
func renderMarkers(doc string, src []byte, python map[string]pySpan, update bool) ([]byte, []string) {
	lines := strings.SplitAfter(string(src), "\n")
	problems := syncTasks(doc, lines, update)
	markers, malformed := readMarkers(doc, lines)
	problems = append(problems, malformed...)
	var out strings.Builder
	next := 0 // the first line not yet written
	for _, m := range markers {
		current := strings.Join(lines[m.Line+1:m.End-1], "")
		body, err := render(m, python)
		switch {
		case errors.Is(err, errNotChecked):
			body = current
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s:%d: %v", doc, m.Line, err))
			body = current
		case body != current && !update:
			problems = append(problems, fmt.Sprintf("%s:%d: the block after this marker differs from %s:\n%s",
				doc, m.Line, strings.TrimSuffix(strings.TrimPrefix(lines[m.Line-1], "<!-- "), " -->\n"),
				diff.Diff(doc, []byte(current), "from the source", []byte(body))))
		}
		out.WriteString(strings.Join(lines[next:m.Line+1], "")) // up to the block's opening fence
		out.WriteString(body)
		next = m.End - 1 // its closing fence
	}
	out.WriteString(strings.Join(lines[next:], ""))
	return []byte(out.String()), problems
}

// render makes the block that marker m names, from its source.
func render(m marker, python map[string]pySpan) (string, error) {
	switch m.Kind {
	case "code":
		return excerpt(m.File, m.Name, python)
	case "transcript":
		return transcript(m.File, m.Name)
	case "output":
		return scriptFile(m.File, m.Name)
	case "diff":
		return stepDiff(m.Old, m.New)
	case "hunk":
		return stepHunks(m.Old, m.New, m.File, m.Text)
	}
	return "", fmt.Errorf("no marker of kind %q", m.Kind)
}

// taskRE finds an exercise's line in a chapter's list of exercises: its
// words are those of exercises/NAME/task.md.
var taskRE = regexp.MustCompile("^- \\*\\*`([0-9][0-9]-[a-z0-9-]+)`\\*\\*: (.*)$")

// syncTasks checks each exercise's line in a page, - **`NAME`**: TASK,
// against exercises/NAME/task.md, which go run ./exercises start NAME
// prints. With update it rewrites, in lines, a line that says otherwise;
// without, it returns a PAGE:LINE problem for it. A line that names no
// exercise is a problem either way.
func syncTasks(doc string, lines []string, update bool) []string {
	var problems []string
	for i, line := range lines {
		m := taskRE.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		name, said := m[1], m[2]
		task, err := exercise.Task(name)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s:%d: exercise %s: %v", doc, i+1, name, err))
		case task == said:
		case update:
			lines[i] = fmt.Sprintf("- **`%s`**: %s\n", name, task)
		default:
			problems = append(problems, fmt.Sprintf("%s:%d: exercise %s: the page says\n\t%s\nbut its task.md says\n\t%s",
				doc, i+1, name, said, task))
		}
	}
	return problems
}
