package page

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"strings"
)

// packageSummary describes the Go package in dir for a step's diff: its
// doc's first sentence, its API (each exported declaration, without
// bodies or fields), and a line per file, the first sentence of the
// comment that follows the file's imports.
func packageSummary(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(filepath.FromSlash(dir), "*.go"))
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	var comments []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return "", err
		}
		files = append(files, f)
		comments = append(comments, fileComment(f)) // before doc, which trims the files
	}
	if len(files) == 0 {
		return "", fmt.Errorf("%s has no Go files", dir)
	}
	pkg, err := doc.NewFromFiles(fset, files, "")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# new package %s (%s): %s\n", pkg.Name, dir, pkg.Synopsis(pkg.Doc))
	decl := func(node any) {
		var out bytes.Buffer
		printer.Fprint(&out, fset, node)
		fmt.Fprintf(&b, "#   %s\n", strings.ReplaceAll(out.String(), "\n", " "))
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			f.Decl.Body, f.Decl.Doc = nil, nil
			decl(f.Decl)
		}
	}
	b.WriteString("# its API:\n")
	for _, v := range append(pkg.Consts, pkg.Vars...) {
		for _, spec := range v.Decl.Specs {
			for _, name := range spec.(*ast.ValueSpec).Names {
				fmt.Fprintf(&b, "#   %s %s\n", v.Decl.Tok, name.Name)
			}
		}
	}
	funcs(pkg.Funcs)
	for _, t := range pkg.Types {
		fmt.Fprintf(&b, "#   type %s\n", t.Name)
		for _, v := range t.Consts {
			for _, spec := range v.Decl.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					fmt.Fprintf(&b, "#   const %s\n", name.Name)
				}
			}
		}
		funcs(t.Funcs)
		funcs(t.Methods)
	}
	b.WriteString("# its files:\n")
	for i, f := range files {
		fmt.Fprintf(&b, "#   %s: %s\n", filepath.Base(fset.File(f.Pos()).Name()), pkg.Synopsis(comments[i]))
	}
	return b.String(), nil
}

// fileComment is the first comment after f's imports, or its package
// doc: what the file is.
func fileComment(f *ast.File) string {
	after := f.Name.End()
	if len(f.Imports) > 0 {
		after = f.Imports[len(f.Imports)-1].End()
	}
	for _, c := range f.Comments {
		if c.Pos() > after || c == f.Doc {
			return c.Text()
		}
	}
	return ""
}

// isPackageDir reports whether dir holds Go files.
func isPackageDir(dir string) bool {
	names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(names) > 0
}
