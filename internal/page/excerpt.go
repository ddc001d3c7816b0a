package page

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// The code marker's excerpts: a whole file, a Go declaration, or a
// statement inside a Go function (a Python def or class: pyexcerpt.go).

// excerpt returns a whole file, or with a name, a declaration in it: a Go
// one, or in a .py file, a def or class, which python holds (findPython).
func excerpt(file, name string, python map[string]pySpan) (string, error) {
	switch {
	case name == "":
		data, err := os.ReadFile(filepath.FromSlash(file))
		return string(data), err
	case isPython(file):
		return pythonExcerpt(file, name, python)
	}
	return goExcerpt(file, name)
}

// goExcerpt returns the declaration called name in a Go file, with its doc
// comment: "greeter", or "greeter.ServeHTTP" for a method. "f:word" is the
// first statement of function f's body that holds word, dedented.
func goExcerpt(file, name string) (string, error) {
	name, word, inside := strings.Cut(name, ":")
	src, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	for _, decl := range f.Decls {
		if declName(decl) != name {
			continue
		}
		if inside {
			return statementExcerpt(fset, src, decl, word)
		}
		start := decl.Pos()
		if doc := declDoc(decl); doc != nil {
			start = doc.Pos()
		}
		from, to := fset.Position(start).Offset, fset.Position(decl.End()).Offset
		return string(src[from:to]) + "\n", nil
	}
	return "", fmt.Errorf("%s has no declaration %q", file, name)
}

// statementExcerpt returns the first statement of a function's body that
// holds word, with its indentation taken off.
func statementExcerpt(fset *token.FileSet, src []byte, decl ast.Decl, word string) (string, error) {
	fn, ok := decl.(*ast.FuncDecl)
	if !ok || fn.Body == nil {
		return "", fmt.Errorf("%s is not a function with a body", declName(decl))
	}
	for _, stmt := range fn.Body.List {
		from, to := fset.Position(stmt.Pos()).Offset, fset.Position(stmt.End()).Offset
		text := string(src[from:to])
		if !strings.Contains(text, word) {
			continue
		}
		lines := strings.Split(text, "\n")
		for i := 1; i < len(lines); i++ {
			lines[i] = strings.TrimPrefix(lines[i], "\t")
		}
		return strings.Join(lines, "\n") + "\n", nil
	}
	return "", fmt.Errorf("no statement of %s holds %q", fn.Name.Name, word)
}

// declName is a declaration's name as a marker spells it; a grouped or
// multi-name declaration has none.
func declName(decl ast.Decl) string {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil || len(d.Recv.List) != 1 {
			return d.Name.Name
		}
		recv := d.Recv.List[0].Type
		if star, ok := recv.(*ast.StarExpr); ok {
			recv = star.X
		}
		if id, ok := recv.(*ast.Ident); ok {
			return id.Name + "." + d.Name.Name
		}
	case *ast.GenDecl:
		if len(d.Specs) != 1 {
			return ""
		}
		switch s := d.Specs[0].(type) {
		case *ast.TypeSpec:
			return s.Name.Name
		case *ast.ValueSpec:
			if len(s.Names) == 1 {
				return s.Names[0].Name
			}
		}
	}
	return ""
}

func declDoc(decl ast.Decl) *ast.CommentGroup {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}
