package page

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
)

// A Python excerpt is found by Python's own ast module: findPython runs
// pyexcerpt.py once, with the tests' python3, for every one the pages
// name, and pythonExcerpt cuts each from its file.

//go:embed pyexcerpt.py
var pyExcerptScript string

// pySpan is where pyexcerpt.py found a def or class: lines Start to End of
// its file, from 1, or why it found none.
type pySpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Error string `json:"error"`
}

// errNotChecked is a Python excerpt's error where there is no python3 to
// find it: its block is left as it is.
var errNotChecked = errors.New("not checked: no python3")

// isPython reports whether a code marker's file is Python.
func isPython(file string) bool { return strings.HasSuffix(file, ".py") }

// findPython returns where each Python def or class the markers name lies,
// by FILE#NAME, from one run of pyexcerpt.py with the tests' python3
// (probe.Python). Where there is none, it returns nil and logs which
// excerpts are left unchecked, and why. A run that fails fails t.
func findPython(t *testing.T, markers []marker) map[string]pySpan {
	var names []string
	for _, m := range markers {
		if m.Kind == "code" && m.Name != "" && isPython(m.File) {
			names = append(names, m.File+"#"+m.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	unchecked := func(why string) map[string]pySpan {
		t.Logf("the Python excerpts %s are left as they are, not checked: %s", strings.Join(names, ", "), why)
		return nil
	}
	py, why := probe.Python(t)
	if py == nil {
		return unchecked(why)
	}
	script := filepath.Join(t.TempDir(), "pyexcerpt.py")
	if err := os.WriteFile(script, []byte(pyExcerptScript), 0o666); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), proc.WaitLimit)
	defer cancel()
	cmd := py.Command(ctx, script, names...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var spans []pySpan
	if err == nil {
		err = json.Unmarshal(out, &spans)
	}
	if err == nil && len(spans) != len(names) {
		err = fmt.Errorf("%d answers for %d excerpts", len(spans), len(names))
	}
	if err != nil {
		t.Fatalf("%s pyexcerpt.py %s: %v\n%s", py.Exe, strings.Join(names, " "), err, stderr.Bytes())
	}
	found := map[string]pySpan{}
	for i, name := range names {
		found[name] = spans[i]
	}
	return found
}

// pythonExcerpt returns the def or class called name in a Python file, as
// python, from findPython, says where it lies.
func pythonExcerpt(file, name string, python map[string]pySpan) (string, error) {
	if python == nil {
		return "", errNotChecked
	}
	s, ok := python[file+"#"+name]
	switch {
	case !ok:
		return "", fmt.Errorf("%s#%s was not looked for", file, name)
	case s.Error != "":
		return "", errors.New(s.Error)
	}
	src, err := os.ReadFile(filepath.FromSlash(file)) // read here too, so that go test's cache knows the file
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(src), "\n")
	if s.Start < 1 || s.End < s.Start || s.End > len(lines) {
		return "", fmt.Errorf("%s#%s: pyexcerpt.py says lines %d to %d, of %d", file, name, s.Start, s.End, len(lines))
	}
	return strings.Join(lines[s.Start-1:s.End], ""), nil
}
