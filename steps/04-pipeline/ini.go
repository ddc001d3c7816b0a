package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// iniFile is a parsed api-paste.ini: the Go twin of the ConfigParser that
// Paste Deploy reads its files with.
type iniFile struct {
	path     string     // as given; errors name it
	dir      string     // the absolute folder holding it: %(here)s
	defaults []entry    // the [DEFAULT] section: the global config
	sections []*section // every other section, in file order
}

// section is one [type:name] section.
type section struct {
	kind    string // "app", "filter", "pipeline", "composite"
	name    string
	line    int
	entries []entry
}

// entry is one key = value, with the line it started on.
type entry struct {
	key, value string
	line       int
}

// configError is a mistake in a config file, reported as FILE:LINE: what.
type configError struct {
	path string
	line int
	msg  string
}

func (e *configError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
}

// readINI reads and parses the file at path.
func readINI(path string) (*iniFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return parseINI(path, filepath.Dir(abs), data)
}

// sectionKinds are the section types this loader knows.
var sectionKinds = map[string]bool{"app": true, "filter": true, "pipeline": true, "composite": true}

// parseINI parses Paste Deploy's INI dialect: [sections], key = value (or
// key: value) with case kept, # and ; comment lines, and indented lines
// that continue the value above. data came from path, in folder dir.
func parseINI(path, dir string, data []byte) (*iniFile, error) {
	f := &iniFile{path: path, dir: dir}
	fail := func(line int, format string, args ...any) error {
		return &configError{path, line, fmt.Sprintf(format, args...)}
	}
	var current *[]entry    // the entries of the section being read
	var keys map[string]int // the current section's keys, and their lines
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := strings.TrimSuffix(sc.Text(), "\r")
		text := strings.TrimSpace(raw)
		switch {
		case text == "" || text[0] == '#' || text[0] == ';':
			continue // blank, or a comment
		case raw[0] == ' ' || raw[0] == '\t':
			if current == nil || len(*current) == 0 {
				return nil, fail(n, "indented line continues nothing: %q", text)
			}
			last := &(*current)[len(*current)-1]
			last.value = strings.TrimSpace(last.value + "\n" + text)
		case text[0] == '[':
			header, ok := strings.CutSuffix(text, "]")
			if !ok {
				return nil, fail(n, "section header %q has no closing ]", text)
			}
			header = strings.TrimSpace(header[1:])
			if prev, dup := seen[header]; dup {
				return nil, fail(n, "section [%s] again: it started at line %d", header, prev)
			}
			seen[header] = n
			keys = map[string]int{}
			if header == "DEFAULT" {
				current = &f.defaults
				continue
			}
			kind, name, _ := strings.Cut(header, ":")
			kind, name = strings.TrimSpace(kind), strings.TrimSpace(name)
			if name == "" {
				name = "main" // [app] is [app:main], as Paste reads it
			}
			if !sectionKinds[kind] {
				return nil, fail(n, "unknown section type %q in [%s]: want app, filter, pipeline or composite", kind, header)
			}
			s := &section{kind: kind, name: name, line: n}
			f.sections = append(f.sections, s)
			current = &s.entries
		default:
			if current == nil {
				return nil, fail(n, "%q is outside any section: start one with [type:name]", text)
			}
			i := strings.IndexAny(text, "=:")
			if i <= 0 {
				return nil, fail(n, "want key = value, a [section] or a comment; got %q", text)
			}
			key, value := strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
			if prev, dup := keys[key]; dup {
				return nil, fail(n, "key %q again: it was set at line %d", key, prev)
			}
			keys[key] = n
			*current = append(*current, entry{key, value, n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// maxValueSize bounds a value after interpolation: a few keys that each
// refer to the next twice would otherwise grow it exponentially.
const maxValueSize = 1 << 16

// interpolate expands %(name)s in value from lookup, and %% to %, as
// ConfigParser does; line is where value came from, for errors.
func (f *iniFile) interpolate(value string, line int, lookup func(string) (string, bool)) (string, error) {
	return f.expand(value, line, lookup, 0)
}

func (f *iniFile) expand(value string, line int, lookup func(string) (string, bool), depth int) (string, error) {
	if depth > 10 {
		return "", &configError{f.path, line, "%(...)s nests more than 10 deep: is a value referring to itself?"}
	}
	var b strings.Builder
	for {
		if b.Len() > maxValueSize {
			return "", &configError{f.path, line, fmt.Sprintf("the value grows past %d bytes as %%(...)s expand", maxValueSize)}
		}
		i := strings.IndexByte(value, '%')
		if i < 0 {
			b.WriteString(value)
			return b.String(), nil
		}
		b.WriteString(value[:i])
		value = value[i:]
		switch {
		case strings.HasPrefix(value, "%%"):
			b.WriteByte('%')
			value = value[2:]
		case strings.HasPrefix(value, "%("):
			end := strings.Index(value, ")s")
			if end < 0 {
				return "", &configError{f.path, line, fmt.Sprintf("bad %%(name)s reference in %q", value)}
			}
			name := value[2:end]
			v, ok := lookup(name)
			if !ok {
				return "", &configError{f.path, line, fmt.Sprintf("%%(%s)s: no such key here or in [DEFAULT]", name)}
			}
			v, err := f.expand(v, line, lookup, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			value = value[end+2:]
		default:
			return "", &configError{f.path, line, fmt.Sprintf("a lone %% in %q: write %%%% for a percent sign", value)}
		}
	}
}
