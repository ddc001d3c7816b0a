package paste

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Stage 1, parse: the text of a config file becomes sections of options,
// each with its line. The dialect is Python's ConfigParser as Paste Deploy
// sets it up, rule for rule, so a file means here what it means there.

// iniFile is one parsed config file: the twin of ConfigLoader's parser.
type iniFile struct {
	path     string                // as opened; errors and -print name it
	defaults *section              // [DEFAULT]: the global conf
	sections []*section            // every other section, in file order
	byName   map[string][]*section // the sections of each name (see sectionName), in file order
}

// section is one [header] section of ConfigParser.
type section struct {
	header    string // between [ and ], as written: "app:main"
	typ       string // before its colon: "app"
	line      int
	options   []*option
	index     map[string]*option // the options by key
	resolving bool               // the resolve stage is in it: to catch cycles
}

// option is one key = value, and the line it starts on.
type option struct {
	key, value string
	line       int
}

// sectionName splits a header at its first colon into its type and its
// name, which Paste Deploy strips: "app" and "main" for [app: main ]. A
// header without a colon, such as [exe], is all type.
func sectionName(header string) (typ, name string) {
	typ, name, _ = strings.Cut(header, ":")
	return typ, strings.TrimFunc(name, isPySpace)
}

// position is a place in a config file: FILE:LINE, or FILE alone for
// line 0, where the command line named something in it.
type position struct {
	path string
	line int
}

func (p position) String() string {
	if p.line == 0 {
		return p.path
	}
	return p.path + ":" + strconv.Itoa(p.line)
}

// configError is a mistake in a config file: FILE:LINE: what. What it
// says quotes at most a key, a section header or a name the config gave;
// never a value, nor a line that parsed as none of them.
type configError struct {
	where position
	msg   string
}

func (e *configError) Error() string { return e.where.String() + ": " + e.msg }

// errorAt returns a config error at where.
func errorAt(where position, format string, args ...any) error {
	return &configError{where, fmt.Sprintf(format, args...)}
}

// parseINI parses data, read from path, as ConfigParser does for Paste
// Deploy: [sections]; key = value or key: value, keys keeping their case;
// lines starting with # or ; are comments, even indented; a line indented
// deeper than its key continues the value, blank lines inside it included;
// no section and no key twice, except that [DEFAULT] may be opened again.
func parseINI(path string, data []byte) (*iniFile, error) {
	f := &iniFile{path: path, defaults: &section{header: "DEFAULT", index: map[string]*option{}}, byName: map[string][]*section{}}
	fail := func(line int, format string, args ...any) error {
		return errorAt(position{path, line}, format, args...)
	}
	byHeader := map[string]*section{}
	var (
		current *section // the section being read
		last    *option  // the option a deeper line continues
		lines   []string // last's lines, once it has more than one
		indent  int      // the indentation of last's key
		n       int      // the line number
	)
	finish := func() {
		if lines != nil {
			last.value = strings.TrimRightFunc(strings.Join(lines, "\n"), isPySpace)
		}
	}
	for rest := string(data); rest != ""; {
		var raw string
		raw, rest = nextLine(rest)
		n++
		if len(raw) > maxLine {
			return nil, fail(n, "a line longer than %d bytes", maxLine)
		}
		if !utf8.ValidString(raw) {
			return nil, fail(n, "not UTF-8 text")
		}
		text := strings.TrimFunc(raw, isPySpace)
		switch {
		case text != "" && (text[0] == '#' || text[0] == ';'):
			continue
		case last != nil && (text == "" || indentOf(raw) > indent):
			if lines == nil {
				lines = []string{last.value}
			}
			lines = append(lines, text) // a continuation line, or a blank one inside the value
			continue
		case text == "":
			continue
		}
		finish()
		last, lines, indent = nil, nil, indentOf(raw)
		// As ConfigParser's pattern does, a header runs to the last ]:
		// "[app:main] ; a note" is [app:main].
		if end := strings.LastIndexByte(text, ']'); text[0] == '[' && end >= 2 {
			header := text[1:end]
			if header == "DEFAULT" {
				current = f.defaults
				continue
			}
			if prev := byHeader[header]; prev != nil {
				return nil, fail(n, "section [%s] again: it started at line %d", header, prev.line)
			}
			typ, name := sectionName(header)
			current = &section{header: header, typ: typ, line: n, index: map[string]*option{}}
			byHeader[header], f.byName[name] = current, append(f.byName[name], current)
			f.sections = append(f.sections, current)
			continue
		}
		if current == nil {
			if text[0] == '[' {
				return nil, fail(n, "a section header with no closing ]")
			}
			return nil, fail(n, "a line outside any section: start one with [type:name]")
		}
		i := strings.IndexAny(text, "=:")
		switch {
		case i < 0 && indent > 0:
			return nil, fail(n, "an indented line with no key above it to continue")
		case i < 0:
			return nil, fail(n, "a line that is not key = value, a [section] or a comment")
		}
		key := strings.TrimRightFunc(text[:i], isPySpace)
		if key == "" {
			return nil, fail(n, "a line with no key before its = or :")
		}
		if prev := current.index[key]; prev != nil {
			return nil, fail(n, "key %q again: it was set at line %d", key, prev.line)
		}
		last = &option{key, strings.TrimFunc(text[i+1:], isPySpace), n}
		current.options = append(current.options, last)
		current.index[key] = last
	}
	finish()
	return f, nil
}

// indentOf counts the characters before a line's first non-space, as
// ConfigParser measures a continuation line.
func indentOf(line string) int {
	n := 0
	for _, r := range line {
		if !isPySpace(r) {
			break
		}
		n++
	}
	return n
}

// isPySpace reports whether Python's str.strip would strip r: Go's
// unicode.IsSpace, and the four separators \x1c to \x1f.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// nextLine returns the first line of text, and the rest after its end:
// \n, \r\n or \r, as Python reads a text file.
func nextLine(text string) (line, rest string) {
	i := strings.IndexAny(text, "\r\n")
	switch {
	case i < 0:
		return text, ""
	case strings.HasPrefix(text[i:], "\r\n"):
		return text[:i], text[i+2:]
	}
	return text[:i], text[i+1:]
}
