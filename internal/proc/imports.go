package proc

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// CheckStepImports keeps every step self-contained: a step is package
// main, and it and the packages inside it (such as step 04's paste)
// import the standard library and one another alone, never a module from
// the network and never another step.
func CheckStepImports(t *testing.T) {
	steps, err := StepNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		root := filepath.Join("steps", step)
		top, _ := filepath.Glob(filepath.Join(root, "*.go"))
		if len(top) == 0 {
			t.Errorf("%s: no Go files", root)
			continue
		}
		err := filepath.WalkDir(root, func(file string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && d.Name() == "testdata":
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(file, ".go"):
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			if filepath.Dir(file) == root && f.Name.Name != "main" && !strings.HasSuffix(file, "_test.go") {
				t.Errorf("%s: package %s, want package main", file, f.Name.Name)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !isStandard(path) && !isInside(path, step) {
					t.Errorf("%s imports %q: a step uses the standard library, and its own packages, only", file, path)
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}

// isStandard reports whether an import path is the standard library's:
// its first element has no dot, and it is not this module's.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "wsgi-to-go"
}

// isInside reports whether an import path is a package inside step.
func isInside(path, step string) bool {
	return strings.HasPrefix(path, "wsgi-to-go/steps/"+step+"/")
}
