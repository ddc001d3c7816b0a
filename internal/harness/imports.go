package harness

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// CheckStepImports keeps every step self-contained: a step is package
// main and imports the standard library alone, never a module from the
// network and never another step.
func CheckStepImports(t *testing.T) {
	steps, err := StepNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		files, err := filepath.Glob(filepath.Join("steps", step, "*.go"))
		if err != nil || len(files) == 0 {
			t.Errorf("steps/%s: no Go files (%v)", step, err)
			continue
		}
		for _, file := range files {
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Error(err)
				continue
			}
			if f.Name.Name != "main" && !strings.HasSuffix(file, "_test.go") {
				t.Errorf("%s: package %s, want package main", file, f.Name.Name)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !isStandard(path) {
					t.Errorf("%s imports %q: steps use the standard library only", file, path)
				}
			}
		}
	}
}

// isStandard reports whether an import path is the standard library's:
// its first element has no dot, and it is not this module's.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "wsgi-to-go"
}
