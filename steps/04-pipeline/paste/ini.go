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

// iniFile is one parsed config file: the Go twin of the ConfigParser that
// Paste Deploy's ConfigLoader reads a file with.
type iniFile struct {
	path     string              // as opened; errors and -print name it
	defaults *section            // the [DEFAULT] section: the global conf
	sections []*section          // every other section, in file order, whatever its type
	byName   map[string]*section // the first section of each name (see sectionName)
}

// section is one [header] section: the Go twin of one of ConfigParser's
// sections.
type section struct {
	header    string // between [ and ], as written: "app:main", "filter:auth"
	line      int
	options   []*option
	index     map[string]*option // the options by key
	sameName  *section           // the next section in the file with the same name
	resolving bool               // the resolve stage is in it: to catch cycles
}

// option is one key = value, with the line it started on: the Go twin of
// one of ConfigParser's options.
type option struct {
	key, value string
	line       int
}

// sectionName splits a section's header at its first colon into its type
// and its name, which Paste Deploy strips: "app" and "main" for
// [app:main], and for [app: main ]. A header without a colon, such as
// [exe], has no type: its name is all of it.
func sectionName(header string) (typ, name string, ok bool) {
	typ, name, ok = strings.Cut(header, ":")
	return typ, strings.TrimFunc(name, isPySpace), ok
}

// option returns the option called key.
func (s *section) option(key string) (*option, bool) {
	o, ok := s.index[key]
	return o, ok
}

// add adds o, whose key is new.
func (s *section) add(o *option) {
	if s.index == nil {
		s.index = map[string]*option{}
	}
	s.options = append(s.options, o)
	s.index[o.key] = o
}

// addByName adds s at the end of the sections called name, or fails if
// one has the same header.
func (f *iniFile) addByName(s *section, name string) error {
	if f.byName[name] == nil {
		f.byName[name] = s
		return nil
	}
	for prev := f.byName[name]; ; prev = prev.sameName {
		if prev.header == s.header {
			return fmt.Errorf("section [%s] again: it started at line %d", s.header, prev.line)
		}
		if prev.sameName == nil {
			prev.sameName = s
			return nil
		}
	}
}

// appendSections appends to found the sections of type typ called name,
// in file order.
func (f *iniFile) appendSections(found []*section, typ, name string) []*section {
	for s := f.byName[name]; s != nil; s = s.sameName {
		if t, _, _ := sectionName(s.header); t == typ {
			found = append(found, s)
		}
	}
	return found
}

// configError is a mistake in a config file, reported as FILE:LINE: what.
type configError struct {
	path string
	line int
	msg  string
}

func (e *configError) Error() string {
	return position{e.path, e.line}.String() + ": " + e.msg
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

// errorAt returns a config error at where.
func errorAt(where position, format string, args ...any) error {
	return &configError{where.path, where.line, fmt.Sprintf(format, args...)}
}

// parseINI parses data, read from path, as ConfigParser does for Paste
// Deploy: [sections]; key = value or key: value, keys keeping their case;
// lines starting with # or ; are comments, even indented; a line indented
// deeper than its key continues the value, blank lines inside it included;
// no section and no key twice, except that [DEFAULT] may be opened again.
func parseINI(path string, data []byte) (*iniFile, error) {
	f := &iniFile{path: path, defaults: &section{header: "DEFAULT"}, byName: map[string]*section{}}
	fail := func(line int, format string, args ...any) error {
		return &configError{path, line, fmt.Sprintf(format, args...)}
	}
	var (
		current   *section // the section being read
		last      *option  // the option a deeper line continues
		parts     []string // last's lines, once it has more than one
		indent    int      // the indentation of last's key
		finishing = func() {
			if parts != nil {
				last.value = strings.TrimRightFunc(strings.Join(parts, "\n"), isPySpace)
			}
		}
	)
	// Options are made in blocks, not one by one: a file may have many.
	var block []option
	newOption := func(o option) *option {
		if len(block) == cap(block) {
			block = make([]option, 0, 256)
		}
		block = append(block, o)
		return &block[len(block)-1]
	}
	var raw string
	for n, rest := 1, string(data); rest != ""; n++ {
		raw, rest = nextLine(rest)
		if len(raw) > maxLine {
			return nil, fail(n, "a line longer than %d bytes", maxLine)
		}
		if !utf8.ValidString(raw) {
			return nil, fail(n, "not UTF-8 text")
		}
		text := strings.TrimFunc(raw, isPySpace)
		switch {
		case text == "" || text[0] == '#' || text[0] == ';':
			// A blank line inside a value is part of it; a comment is not.
			if text == "" && last != nil {
				if parts == nil {
					parts = []string{last.value}
				}
				parts = append(parts, "")
			}
			continue
		case last != nil && indentOf(raw) > indent:
			if parts == nil {
				parts = []string{last.value}
			}
			parts = append(parts, text) // a continuation line
			continue
		}
		finishing()
		last, parts, indent = nil, nil, indentOf(raw)
		if header, ok := sectionHeader(text); ok {
			if header == "DEFAULT" {
				current = f.defaults
				continue
			}
			s := &section{header: header, line: n}
			_, name, _ := sectionName(header)
			if err := f.addByName(s, name); err != nil {
				return nil, fail(n, "%v", err)
			}
			f.sections = append(f.sections, s)
			current = s
			continue
		}
		if current == nil {
			if text[0] == '[' {
				return nil, fail(n, "section header %s has no closing ]", shownLine(text))
			}
			return nil, fail(n, "%s is outside any section: start one with [type:name]", shownLine(text))
		}
		key, value, ok := splitOption(text)
		switch {
		case !ok && indentOf(raw) > 0:
			return nil, fail(n, "indented line continues nothing: %s", shownLine(text))
		case !ok:
			return nil, fail(n, "want key = value, a [section] or a comment; got %s", shownLine(text))
		case key == "":
			return nil, fail(n, "%s has no key before its = or :", shownLine(text))
		}
		if prev, dup := current.option(key); dup {
			return nil, fail(n, "key %q again: it was set at line %d", key, prev.line)
		}
		last = newOption(option{key: key, value: value, line: n})
		current.add(last)
	}
	finishing()
	return f, nil
}

// nextLine returns the first line of text, and the rest after its end:
// \n, \r\n or \r, as Python reads a text file.
func nextLine(text string) (line, rest string) {
	i := strings.IndexAny(text, "\r\n")
	if i < 0 {
		return text, ""
	}
	if strings.HasPrefix(text[i:], "\r\n") {
		return text[:i], text[i+2:]
	}
	return text[:i], text[i+1:]
}

// sectionHeader returns the header of a [header] line. As ConfigParser's
// pattern does, it takes everything up to the last ], so "[app:main] ; a
// note" is [app:main], and the header is not trimmed.
func sectionHeader(text string) (string, bool) {
	end := strings.LastIndexByte(text, ']')
	if text[0] != '[' || end < 2 {
		return "", false
	}
	return text[1:end], true
}

// splitOption splits "key = value" or "key: value" at the first = or :,
// and trims both sides.
func splitOption(text string) (key, value string, ok bool) {
	i := strings.IndexAny(text, "=:")
	if i < 0 {
		return "", "", false
	}
	return strings.TrimRightFunc(text[:i], isPySpace), strings.TrimFunc(text[i+1:], isPySpace), true
}

// indentOf counts the spaces before a line's first other character, in
// characters, as ConfigParser measures a continuation line.
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

// shownLine quotes a line of the file for an error message, unless it
// looks as if it holds a secret.
func shownLine(text string) string {
	if looksSecret(text) {
		return "(a line that looks secret, not shown)"
	}
	return fmt.Sprintf("%q", text)
}
