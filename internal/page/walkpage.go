package page

import (
	"fmt"
	"regexp"
	"strings"
)

// A page's console blocks, as the walk reads them. A console block is a
// fenced block whose info string is "console": lines that start with "$ "
// are commands, the lines after each are what it prints, and a line that
// starts with "^C" is a Ctrl-C pressed in that terminal, which echoes ^C
// where the next output begins. docs/how-the-page-stays-true.md describes
// the conventions.

// consoleBlock is one ```console block of a page.
type consoleBlock struct {
	line      int    // the page's line of its opening fence, from 1
	runsOn    bool   // <!-- walk: runs on --> above it: its command runs on through the next block
	generated string // the marker that generates it, if any: the walk never rewrites it
	commands  []*pageCommand
}

// pageCommand is one "$ COMMAND" line of a console block, and the lines
// the page shows after it.
type pageCommand struct {
	line int      // the page's line of "$ COMMAND", from 1
	text string   // COMMAND
	want []string // the lines after it, ^C included
	from int      // index of want's first line among the page's lines
}

// interrupt, at the start of a line of a console block, is a Ctrl-C
// pressed in the terminal of the command above it: a SIGINT to its process
// group. The terminal echoes it, and what the program prints next follows
// on the same line, as "^Cinterrupt: shutting down".
const interrupt = "^C"

// runsOnMarker, just above a console block, says its one command keeps
// running while the page goes on: it ends after the next block.
const runsOnMarker = "<!-- walk: runs on -->"

// generatingRE matches the markers whose blocks are generated (markers.go).
var generatingRE = regexp.MustCompile(`^<!-- (code|transcript|output|diff|hunk): `)

// parseConsoleBlocks returns the console blocks of a page, in order, or
// the first thing in one that the walk cannot read, as PAGE:LINE: why.
func parseConsoleBlocks(page string, lines []string) ([]*consoleBlock, error) {
	var blocks []*consoleBlock
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		open := i
		for i++; i < len(lines) && lines[i] != "```"; i++ {
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s:%d: a fenced block that never ends", page, open+1)
		}
		if strings.TrimSpace(strings.TrimPrefix(lines[open], "```")) != "console" {
			continue
		}
		b := &consoleBlock{line: open + 1}
		for j := open - 1; j >= 0 && strings.HasPrefix(lines[j], "<!-- "); j-- {
			switch {
			case lines[j] == runsOnMarker:
				b.runsOn = true
			case generatingRE.MatchString(lines[j]):
				b.generated = strings.TrimSuffix(strings.TrimPrefix(lines[j], "<!-- "), " -->")
			}
		}
		for j := open + 1; j < i; j++ {
			if text, ok := strings.CutPrefix(lines[j], "$ "); ok {
				b.commands = append(b.commands, &pageCommand{line: j + 1, text: text, from: j + 1})
				continue
			}
			if len(b.commands) == 0 {
				return nil, fmt.Errorf("%s:%d: a console block starts with a command, a line \"$ COMMAND\"", page, j+1)
			}
			c := b.commands[len(b.commands)-1]
			c.want = append(c.want, lines[j])
		}
		if len(b.commands) == 0 {
			return nil, fmt.Errorf("%s:%d: an empty console block", page, b.line)
		}
		if b.runsOn && len(b.commands) != 1 {
			return nil, fmt.Errorf("%s:%d: a block marked %s holds one command, not %d", page, b.line, runsOnMarker, len(b.commands))
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// segments splits the lines a command shows at each ^C: what it printed
// before the first, between each, and after the last.
func segments(want []string) [][]string {
	segs := [][]string{nil}
	for _, line := range want {
		if rest, ok := strings.CutPrefix(line, interrupt); ok {
			segs = append(segs, nil)
			if rest == "" {
				continue // nothing printed after it: the shell's prompt comes on the next line
			}
			line = rest
		}
		segs[len(segs)-1] = append(segs[len(segs)-1], line)
	}
	return segs
}

// interrupts reports whether lines press ^C.
func interrupts(lines []string) bool {
	for _, line := range lines {
		if strings.HasPrefix(line, interrupt) {
			return true
		}
	}
	return false
}

// text joins lines as a program prints them, each ending in a newline.
func text(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
