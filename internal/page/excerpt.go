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

// The code marker's excerpts: a whole file, a Go declaration, a statement
// inside a Go function, or a Python def or class.

// excerpt returns a whole file, or with a name, a Go declaration in it.
func excerpt(file, name string) (string, error) {
	if name == "" {
		data, err := os.ReadFile(filepath.FromSlash(file))
		return string(data), err
	}
	if strings.HasSuffix(file, ".py") {
		return pyExcerpt(file, name)
	}
	return goExcerpt(file, name)
}

// pyExcerpt returns the def or class called name in a Python file, with
// the comment lines just above it: "Greeter", or "Greeter.__call__" for a
// method. It ends before the next line indented no deeper than its start.
func pyExcerpt(file, name string) (string, error) {
	src, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(src), "\n")
	indent, from := "", 0
	for _, part := range strings.Split(name, ".") {
		start := -1
		for i := from; i < len(lines); i++ {
			if strings.HasPrefix(lines[i], indent+"def "+part+"(") || strings.HasPrefix(lines[i], indent+"class "+part+"(") ||
				strings.HasPrefix(lines[i], indent+"class "+part+":") {
				start = i
				break
			}
		}
		if start < 0 {
			return "", fmt.Errorf("%s has no def or class %s", file, name)
		}
		from = start
		indent += "    "
	}
	start, end := from, from+1
	indent = strings.TrimSuffix(indent, "    ")
	for start > 0 && strings.HasPrefix(strings.TrimSpace(lines[start-1]), "#") {
		start--
	}
	for end < len(lines) {
		line := lines[end]
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, indent+" ") {
			break
		}
		end++
	}
	for end > from && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.Join(lines[start:end], ""), nil
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
