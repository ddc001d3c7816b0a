package main

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// FuzzLoad feeds the parser and the loader any bytes at all: no input may
// make them panic, and every mistake must come back as FILE:LINE: what.
// go test runs the seeds in testdata/fuzz/FuzzLoad; go test -fuzz FuzzLoad
// looks for more.
func FuzzLoad(f *testing.F) {
	shipped, err := os.ReadFile("api-paste.ini")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := parseINI("fuzz.ini", "/here", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.ini:") {
				t.Fatalf("parse error without FILE:LINE: %v", err)
			}
			return
		}
		for _, printing := range []bool{false, true} {
			for _, s := range append(file.sections, &section{name: "main"}) {
				l := &loader{file: file, registry: newRegistry(logger), printing: printing}
				_, tree, err := l.loadApp(s.name)
				if err != nil {
					if !strings.HasPrefix(err.Error(), "fuzz.ini:") {
						t.Fatalf("load error without FILE:LINE: %v", err)
					}
					continue
				}
				if tree == nil {
					t.Fatalf("loadApp(%q) gave neither a tree nor an error", s.name)
				}
				printNode(io.Discard, tree, "")
			}
		}
	})
}

func TestParseINI(t *testing.T) {
	data := "[DEFAULT]\r\nwho = you\r\n[app]\r\nuse: egg:tutorial#greeting\r\nMessage = hi %(who)s\r\n    and more\r\n"
	f, err := parseINI("t.ini", "/dir", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.defaults) != 1 || f.defaults[0] != (entry{"who", "you", 2}) {
		t.Errorf("defaults = %+v", f.defaults)
	}
	if len(f.sections) != 1 {
		t.Fatalf("sections = %+v", f.sections)
	}
	s := f.sections[0]
	if s.kind != "app" || s.name != "main" || s.line != 3 {
		t.Errorf("[app] read as %s:%s at line %d, want app:main at line 3", s.kind, s.name, s.line)
	}
	want := []entry{{"use", "egg:tutorial#greeting", 4}, {"Message", "hi %(who)s\nand more", 5}}
	if len(s.entries) != 2 || s.entries[0] != want[0] || s.entries[1] != want[1] {
		t.Errorf("entries = %q, want %q (key: value, case kept, CRLF, continuation)", s.entries, want)
	}
}

func TestInterpolate(t *testing.T) {
	f := &iniFile{path: "t.ini"}
	lookup := func(name string) (string, bool) {
		v, ok := map[string]string{"a": "A", "b": "%(a)s%(a)s", "loop": "%(loop)s"}[name]
		return v, ok
	}
	for in, want := range map[string]string{
		"plain":         "plain",
		"%(a)s":         "A",
		"x%(b)sy":       "xAAy",
		"100%%":         "100%",
		"%(nope)s":      "t.ini:7: %(nope)s: no such key here or in [DEFAULT]",
		"%(loop)s":      "t.ini:7: %(...)s nests more than 10 deep: is a value referring to itself?",
		"50%":           `t.ini:7: a lone % in "%": write %% for a percent sign`,
		"%(unfinished)": `t.ini:7: bad %(name)s reference in "%(unfinished)"`,
	} {
		got, err := f.interpolate(in, 7, lookup)
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("interpolate(%q) = %q, want %q", in, got, want)
		}
	}
}
