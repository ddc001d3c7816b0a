package page

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/exercise"
	"wsgi-to-go/internal/script"
)

// A marker in a markdown file names where the fenced block after it comes
// from, so the text cannot drift from the code:
//
//	<!-- code: steps/01-app/main.go#greeter -->        a declaration, with its doc comment
//	<!-- code: steps/01-app/main.go#greeter.ServeHTTP --> a method
//	<!-- code: steps/04-pipeline/registry.go#newRegistry:healthcheck -->
//	                                                   the first statement in a function that holds a word
//	<!-- transcript: testdata/01-app.txtar#greeting.txt --> a command and what it printed
//	<!-- output: testdata/03-server-limits.txtar#slow.txt --> what a script's own command printed
//	<!-- code: python/01-app.py#Greeter -->            a Python def or class
//	<!-- code: steps/04-pipeline/api-paste.ini -->      a whole file
//	<!-- diff: steps/01-app steps/02-middleware -->    what a step changed
//	<!-- hunk: steps/01-app steps/02-middleware main.go#newHandler( -->
//	- **`01-count`**: ...                             an exercise's task, as exercises/01-count/task.md says it
//	                                                   the hunks of that diff whose changed lines hold the text
var markerRE = regexp.MustCompile(`^<!-- (code|transcript|output|diff|hunk): ([^#\s]+)(?:#(\S+)| (\S+))?(?: ([^#\s]+)#(\S+))? -->$`)

// taskRE finds an exercise's line in a chapter's list of exercises: its
// words are those of exercises/NAME/task.md.
var taskRE = regexp.MustCompile("^- \\*\\*`([0-9][0-9]-[a-z0-9-]+)`\\*\\*: (.*)$")

// CheckMarkers checks every marker in the markdown files docs: the block
// after each must be what its source makes. With update, it rewrites the
// blocks instead.
func CheckMarkers(t *testing.T, update bool, docs ...string) {
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			src, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			got, problems := renderMarkers(doc, src, update)
			for _, p := range problems {
				t.Error(p)
			}
			if bytes.Equal(got, src) {
				return
			}
			if update {
				if err := os.WriteFile(doc, got, 0o666); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s updated", doc)
				return
			}
			t.Errorf("%s differs from the code and scripts it quotes.\n"+
				"If the code and scripts are right, run: %s", doc, script.UpdateCommand)
		})
	}
}

// renderMarkers returns doc with the block after every marker made anew
// from its source, and a FILE:LINE line for every marker it cannot render.
func renderMarkers(doc string, src []byte, update bool) ([]byte, []string) {
	lines := strings.SplitAfter(string(src), "\n")
	var out strings.Builder
	var problems []string
	for i := 0; i < len(lines); i++ {
		if t := taskRE.FindStringSubmatch(strings.TrimRight(lines[i], "\n")); t != nil {
			task, err := exercise.Task(t[1])
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s:%d: exercise %s: %v", doc, i+1, t[1], err))
			case task != t[2] && !update:
				problems = append(problems, fmt.Sprintf("%s:%d: exercise %s: the page says\n\t%s\nbut its task.md says\n\t%s",
					doc, i+1, t[1], t[2], task))
			case task != t[2]:
				lines[i] = fmt.Sprintf("- **`%s`**: %s\n", t[1], task)
			}
		}
		out.WriteString(lines[i])
		m := markerRE.FindStringSubmatch(strings.TrimRight(lines[i], "\n"))
		if m == nil {
			continue
		}
		where := fmt.Sprintf("%s:%d", doc, i+1)
		open, close := i+1, -1
		if open < len(lines) && strings.HasPrefix(lines[open], "```") {
			for j := open + 1; j < len(lines); j++ {
				if strings.TrimRight(lines[j], "\n") == "```" {
					close = j
					break
				}
			}
		}
		if close < 0 {
			problems = append(problems, where+": a marker must be followed by a fenced block (```)")
			continue
		}
		var body string
		var err error
		switch {
		case m[1] == "hunk" && m[4] != "" && m[5] != "":
			body, err = stepHunks(m[2], m[4], m[5], m[6])
		case m[1] == "hunk" || m[5] != "":
			err = fmt.Errorf("want <!-- hunk: OLDSTEP NEWSTEP FILE#TEXT -->")
		case m[1] == "diff" && m[4] != "":
			body, err = stepDiff(m[2], m[4])
		case m[1] == "diff" || m[4] != "":
			err = fmt.Errorf("want <!-- diff: OLDSTEP NEWSTEP --> or <!-- %s: FILE#NAME -->", m[1])
		case m[1] == "code":
			body, err = excerpt(m[2], m[3])
		case m[3] == "":
			err = fmt.Errorf("a %s marker needs #name: the file in the script", m[1])
		case m[1] == "transcript":
			body, err = transcript(m[2], m[3])
		case m[1] == "output":
			body, err = scriptFile(m[2], m[3])
		}
		current := strings.Join(lines[open+1:close], "")
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			body = current
		case body != current && !update:
			problems = append(problems, fmt.Sprintf("%s: the block after this marker differs from %s:\n%s",
				where, strings.TrimSuffix(strings.TrimPrefix(lines[i], "<!-- "), " -->\n"),
				diff.Diff(doc, []byte(current), "from the source", []byte(body))))
		}
		out.WriteString(lines[open])
		out.WriteString(body)
		out.WriteString(lines[close])
		i = close
	}
	return []byte(out.String()), problems
}

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
