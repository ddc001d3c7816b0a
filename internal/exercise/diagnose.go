package exercise

import (
	"fmt"
	"regexp"
	"strings"
)

// backgroundRE finds a script's background commands: exec ... &NAME&.
var backgroundRE = regexp.MustCompile(`(?m)^(?:\[\S+\] )?(?:! )?exec (.*) &(\w+)&$`)

// Diagnose turns a failed check's log into what a learner needs: the
// command the check ran, what it printed, what the check wanted instead,
// in plain words, and where in the check that was; without testscript's
// line prefixes. A diff is shown, and explained, only when the check
// compared whole outputs. Every line a program printed is shown after a
// "|", so a space at its start is seen. script is the check's source: a
// log shows only the part of it that failed, and a server that the failing
// part stops may have been started before.
func Diagnose(log, script string) string {
	var (
		ran        string                // the command the failure is about
		assertion  string                // the last script line that checked something
		output     []string              // ran's [stdout] and [stderr], with their headings
		diff       []string              // a cmp's diff, without its header lines
		failure    []string              // the FAIL line, and the lines of its message after it
		background = map[string]string{} // a background command's name -> its command
		capturing  bool                  // the outputs that follow are ran's
		block      *[]string             // where the lines of an output go, if anywhere
		inDiff     bool
		done       bool // past the failure: what follows is the script's cleanup
	)
	for _, m := range backgroundRE.FindAllStringSubmatch(script, -1) {
		background[m[2]] = commandLine("exec " + m[1])
	}
	var comment []string // the comment of the part of the check that failed
	inComment := false
	for _, line := range strings.Split(strings.TrimRight(log, "\n"), "\n") {
		if !strings.HasPrefix(line, "# ") {
			inComment = false
		}
		switch {
		case done:
		case failure != nil && strings.HasPrefix(line, "[background] "):
			done = true // a server's end, after the failure: not what failed
		case failure != nil:
			failure = append(failure, line)
		case strings.HasPrefix(line, "> "):
			cmd := strings.TrimPrefix(line, "> ")
			block, inDiff, capturing = nil, false, false
			fields := strings.Fields(strings.TrimPrefix(cmd, "! "))
			switch {
			case isCommand(cmd):
				ran, output, diff, capturing = commandLine(cmd), nil, nil, true
				if n := len(fields); strings.HasPrefix(fields[n-1], "&") {
					background[strings.Trim(fields[n-1], "&")] = ran
				}
			case len(fields) == 2 && fields[0] == "wait" && background[fields[1]] != "":
				ran, output, diff, capturing = background[fields[1]]+"    (what it printed, once it stopped)", nil, nil, true
			default:
				assertion = cmd
			}
		case strings.HasPrefix(line, "FAIL: "):
			failure, block, inDiff = []string{strings.TrimPrefix(line, "FAIL: ")}, nil, false
		case strings.HasPrefix(line, "# "):
			block = nil // a comment of the check's: what the part that follows checks
			if !inComment {
				comment = nil
			}
			comment = append(comment, strings.TrimPrefix(timingRE.ReplaceAllString(line, ""), "# "))
			inComment = !timingRE.MatchString(line) // the time ends a part's comment
			continue
		case line == "[stdout]" || line == "[stderr]":
			block = nil
			if capturing {
				output = append(output, map[string]string{"[stdout]": "It printed:", "[stderr]": "On stderr:"}[line])
				block = &output
			}
		case strings.HasPrefix(line, "diff "):
			inDiff, block = true, nil
		case inDiff:
			if !strings.HasPrefix(line, "--- ") && !strings.HasPrefix(line, "+++ ") && !strings.HasPrefix(line, "@@") {
				diff = append(diff, line)
			}
		case block != nil:
			*block = append(*block, line)
		}
	}
	var b strings.Builder
	if ran != "" {
		fmt.Fprintf(&b, "The check ran:\n\t%s\n", ran)
	}
	skip := false
	for _, line := range trimBlankEnds(output) {
		switch line {
		case "It printed:", "On stderr:":
			// With a diff, the diff shows what was printed.
			skip = len(diff) > 0 && line == "It printed:"
			if !skip {
				b.WriteString(line + "\n")
			}
		default:
			if !skip {
				b.WriteString("\t| " + line + "\n")
			}
		}
	}
	if len(diff) > 0 {
		b.WriteString("What it printed, and what the check expects: a line marked - is your program's, " +
			"a line marked + is the check's, and the others are both's.\n")
		for _, line := range trimBlankEnds(diff) {
			mark, rest := " ", line
			if line != "" {
				mark, rest = line[:1], line[1:]
			}
			b.WriteString("\t" + mark + "| " + rest + "\n")
		}
	}
	if len(failure) > 0 {
		where, msg := failureParts(failure[0])
		switch {
		case len(diff) > 0:
			msg = "your program printed something else: see the lines marked - and +"
		case wanted(assertion) != "" && (strings.HasPrefix(msg, "no match for") || strings.HasPrefix(msg, "unexpected match for")):
			msg = "the check wanted " + wanted(assertion)
		}
		fmt.Fprintf(&b, "What failed: %s\n", msg)
		for _, line := range trimBlankEnds(failure[1:]) {
			b.WriteString(line + "\n")
		}
		if where != "" {
			fmt.Fprintf(&b, "(%s)\n", where)
		}
	}
	if len(comment) > 0 {
		b.WriteString("That part of the check says:\n")
		for _, line := range comment {
			b.WriteString("\t" + line + "\n")
		}
	}
	if strings.Contains(ran+assertion, "$ADDR") {
		b.WriteString("($ADDR is the address the check ran your server on.)\n")
	}
	if strings.Contains(ran+assertion, "$SRC") {
		b.WriteString("($SRC is your copy's folder.)\n")
	}
	return b.String()
}

// timingRE matches the time testscript adds to a comment's last line.
var timingRE = regexp.MustCompile(` \([0-9.]+m?s\)$`)

// failureRE reads a FAIL line: the script and line, then the message.
var failureRE = regexp.MustCompile(`^(\S+\.txtar):([0-9]+): (.*)$`)

// exitsRE reads the exits command's complaint.
var exitsRE = regexp.MustCompile(`^exits: (\S+) exited with status ([0-9]+), want ([0-9]+)$`)

// failureParts splits a FAIL line into where it failed, in words, and its
// message, without the name of the command that failed.
func failureParts(fail string) (where, msg string) {
	m := failureRE.FindStringSubmatch(fail)
	if m == nil {
		return "", fail
	}
	where, msg = fmt.Sprintf("line %s of %s", m[2], m[1]), m[3]
	if e := exitsRE.FindStringSubmatch(msg); e != nil {
		return where, fmt.Sprintf("%s exited with status %s; the check wants status %s", e[1], e[2], e[3])
	}
	if name, rest, ok := strings.Cut(msg, ": "); ok && strings.IndexFunc(name, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
		msg = rest // a harness command's name: "shutdowntook: ..."
	}
	return where, msg
}

// trimBlankEnds drops the blank lines at the end of lines.
func trimBlankEnds(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// isCommand reports whether a script line runs a program, rather than
// checking what one printed.
func isCommand(line string) bool {
	fields := strings.Fields(line)
	return len(fields) > 0 && (fields[0] == "exec" || fields[0] == "exits" || fields[0] == "!" && len(fields) > 1 && fields[1] == "exec")
}

// commandLine is a script's command as a shell user types it.
func commandLine(line string) string {
	fields := strings.Fields(strings.TrimPrefix(line, "! "))
	switch fields[0] {
	case "exec":
		fields = fields[1:]
	case "exits":
		fields = fields[2:]
	}
	if n := len(fields); n > 0 && strings.HasPrefix(fields[n-1], "&") {
		fields = fields[:n-1] // a server started in the background
	}
	return strings.Join(fields, " ")
}

// wanted says in words what an assertion line asks for, or "".
func wanted(assertion string) string {
	fields := strings.Fields(assertion)
	neg := len(fields) > 0 && fields[0] == "!"
	if neg {
		fields = fields[1:]
	}
	if len(fields) < 2 || (fields[0] != "stdout" && fields[0] != "stderr") {
		return ""
	}
	what := map[string]string{"stdout": "its output", "stderr": "its stderr"}[fields[0]]
	pattern := strings.Join(fields[1:], " ")
	if neg {
		return fmt.Sprintf("%s not to match %s", what, pattern)
	}
	return fmt.Sprintf("%s to match %s", what, pattern)
}
