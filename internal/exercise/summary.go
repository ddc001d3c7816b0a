package exercise

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// Summarize says, after testscript's log of a failed check, what the check
// expected and what came, in a learner's words. It reads the check itself:
// file is its path, as the log names it, and source its text. Of the log
// it reads one line, testscript's FAIL line: which line of the check
// failed, and its message. The summary quotes the script line that ran the
// program (the last exec, exits or wait at or before the failing line),
// the failing line and what it asks for in plain words, what came, and the
// comment of that part of the check.
func Summarize(file, source, log string) string {
	n, msg := failure(file, log)
	ar := txtar.Parse([]byte(source))
	lines := strings.Split(string(ar.Comment), "\n")
	if n < 1 || n > len(lines) {
		return "The check failed before it ran a line of " + file + ": testscript's log above says why.\n"
	}
	ran, stopped, bg := 0, 0, "" // the program's line, its wait's, and the name the wait waited for
	for i := n; i >= 1 && ran == 0; i-- {
		switch a, _ := command(lines[i-1]); {
		case a[0] == "wait" && stopped == 0:
			stopped, bg = i, "&"+a[1]+"&"
		case (a[0] == "exec" || a[0] == "exits") && (bg == "" || slices.Contains(a, bg)):
			ran = i
		}
	}
	var comment []string // the last comment before line n: what that part of the check checks
	for i := n - 1; i >= 1 && (comment == nil || strings.HasPrefix(lines[i-1], "#")); i-- {
		if strings.HasPrefix(lines[i-1], "#") && !strings.HasPrefix(lines[i-1], "# build:") {
			comment = append([]string{strings.TrimSpace(lines[i-1][1:])}, comment...)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "In short, %s:%d failed.", file, n)
	if comment != nil {
		b.WriteString(" That part of the check says:\n\t" + strings.Join(comment, "\n\t"))
	}
	quoted := "" // the lines of the check the summary quotes
	row := func(label, text string) { fmt.Fprintf(&b, "\n%-16s%s", label, text) }
	quote := func(label string, i int) {
		quoted += lines[i-1]
		row(label, fmt.Sprintf("line %d: %s", i, strings.TrimSpace(lines[i-1])))
	}
	if ran > 0 && ran < n {
		quote("The check ran", ran)
	}
	if stopped > 0 && stopped < n {
		quote("stopped it", stopped)
	}
	if ran == n { // an exits line runs the program and checks its status
		quote("The check ran", n)
	} else {
		quote("and expected", n)
	}
	args, neg := command(lines[n-1])
	came, where := strings.TrimPrefix(msg, args[0]+": "), "(what it printed is in the log above)"
	switch {
	case args[0] == "cmp" || args[0] == "cmpenv":
		where = "(see the diff above: a line marked - is what came, one marked + what the check expected)"
	case args[0] == "wait" && ran > 0: // wait checks the exit status its exec asked for
		args, neg = command(lines[ran-1])
	}
	row(map[bool]string{true: "and expected"}[ran == n], expectation(args, neg, ar))
	row("What came:", came)
	row("", where)
	for _, note := range []string{"$ADDR is the address the check ran your server on", "$SRC is your copy's folder"} {
		if name, _, _ := strings.Cut(note, " "); strings.Contains(quoted, name) {
			fmt.Fprintf(&b, "\n(%s.)", note)
		}
	}
	return b.String() + "\n"
}

// failure returns the line of the check at file that failed, and
// testscript's message, from the one FAIL line of its log; 0 if none.
func failure(file, log string) (line int, msg string) {
	m := regexp.MustCompile(`(?m)^FAIL: ` + regexp.QuoteMeta(file) + `:([0-9]+): (.*)$`).FindStringSubmatch(log)
	if m == nil {
		return 0, ""
	}
	line, _ = strconv.Atoi(m[1])
	return line, m[2]
}

// wordRE finds a script line's words, and quotedRE the quoted text in one,
// as testscript reads them: in single quotes, a doubled quote is a quote.
var (
	wordRE   = regexp.MustCompile(`(?:'(?:[^']|'')*'|[^\s'])+`)
	quotedRE = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// command returns a script line's words, unquoted, without its conditions
// and "!", and two empty words after them, so a word missing is ""; and
// whether "!" negates the line.
func command(line string) (args []string, neg bool) {
	for _, w := range wordRE.FindAllString(line, -1) {
		args = append(args, quotedRE.ReplaceAllStringFunc(w, func(q string) string {
			return strings.ReplaceAll(q[1:len(q)-1], "''", "'")
		}))
	}
	for len(args) > 0 && strings.HasPrefix(args[0], "[") {
		args = args[1:]
	}
	if neg = len(args) > 0 && args[0] == "!"; neg {
		args = args[1:]
	}
	return append(args, "", ""), neg
}

// plainWords says what a script line asks for, by its command ("!" before
// it if negated; cmp with what it compares); $1 is its first argument, and
// $2 its second.
var plainWords = map[string]string{
	"stdout":        "its output to match $1",
	"!stdout":       "its output not to match $1",
	"stderr":        "its stderr to match $1",
	"!stderr":       "its stderr not to match $1",
	"cmp stdout":    "its output to be $2",
	"cmp stderr":    "its stderr to be $2",
	"exec":          "it to succeed: to exit with status 0",
	"!exec":         "it to fail: to exit with a status other than 0",
	"exits":         "it to exit with status $1",
	"waitfor":       "a server to accept connections on $1",
	"!waitfor":      "nothing to accept connections on $1 any more",
	"burst":         "each of $1 GETs of $2, sent at once, to answer 200",
	"guardedwrites": "no handler in $1 to change a shared variable without a lock",
	"shutdowntook":  "the shutdown's time in its stderr to be measured: as long as request $1 held it, no longer than the check saw",
	"!exists":       "the file $1 not to exist",
	"await":         "the request $1 to complete",
}

// expectation says in plain words what the script line args asks for.
func expectation(args []string, neg bool, ar *txtar.Archive) string {
	key := args[0]
	switch {
	case neg:
		key = "!" + key
	case key == "cmp" || key == "cmpenv":
		key = "cmp " + args[1]
	case key == "waitfor" && args[2] != "":
		key = "" // waitfor URL TEXT
	}
	words, ok := plainWords[key]
	if !ok {
		return "that line to pass"
	}
	if strings.HasPrefix(key, "cmp ") && slices.ContainsFunc(ar.Files, func(f txtar.File) bool { return f.Name == args[2] }) {
		words += ", shown in the check"
	}
	return strings.NewReplacer("$1", args[1], "$2", args[2]).Replace(words)
}

// summaryProblem returns what is wrong with summary, what Summarize says
// of a failed check at file, or "": it must not be empty, and must quote,
// with their numbers, the line of the check that failed and a line at or
// before it that ran a program.
func summaryProblem(file, source, log, summary string) string {
	n, _ := failure(file, log)
	lines := strings.Split(string(txtar.Parse([]byte(source)).Comment), "\n")
	quotes := func(i int) bool {
		return strings.Contains(summary, fmt.Sprintf("line %d: %s\n", i, strings.TrimSpace(lines[i-1])))
	}
	switch {
	case strings.TrimSpace(summary) == "":
		return "is empty"
	case n < 1 || n > len(lines):
		return "has no FAIL line of " + file + " to go by:\n" + log
	case !quotes(n):
		return fmt.Sprintf("does not quote line %d of %s, which failed:\n%s", n, file, summary)
	}
	for i := n; i >= 1; i-- {
		if a, _ := command(lines[i-1]); (a[0] == "exec" || a[0] == "exits") && quotes(i) {
			return ""
		}
	}
	return "does not quote the line that ran the program:\n" + summary
}
