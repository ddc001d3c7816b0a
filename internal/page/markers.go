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
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"

	"wsgi-to-go/internal/exercise"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
	"wsgi-to-go/internal/twins"
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

// The address a learner's server listens on: the scripts' $ADDR stands for
// it in commands, and for what it resolves to in output.
const (
	learnerAddr   = "localhost:8080"
	learnerListen = "127.0.0.1:8080"
)

// transcript returns "$ COMMAND" and its expected output: the file called
// name in a script, and the exec or exits line whose output the script
// compares with it. A line marked [python] runs only against the Python
// twins, and one marked [!python] only against the Go steps; a transcript
// from a [python] comparison shows the twin's command.
func transcript(file, name string) (string, error) {
	ar, want, err := readScriptFile(file, name)
	if err != nil {
		return "", err
	}
	command := map[bool]string{}      // the last command, for Go (false) and the twins (true)
	status := map[bool]int{}          // its exit status, when the file requires one
	background := map[string]string{} // name -> command, for "wait name"
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		fields := strings.Fields(line)
		sides := []bool{false, true}
		if len(fields) > 0 && (fields[0] == "[python]" || fields[0] == "[!python]") {
			sides = []bool{fields[0] == "[python]"}
			fields = fields[1:]
		}
		if len(fields) > 0 && fields[0] == "!" {
			fields = fields[1:]
		}
		set := func(c string, code int) {
			for _, twin := range sides {
				command[twin], status[twin] = c, code
			}
		}
		switch {
		case len(fields) > 1 && fields[0] == "exec" && strings.HasPrefix(fields[len(fields)-1], "&"):
			name := strings.Trim(fields[len(fields)-1], "&")
			background[name] = strings.Join(fields[1:len(fields)-1], " ")
		case len(fields) == 2 && fields[0] == "wait":
			set(background[fields[1]], 0)
		case len(fields) > 1 && fields[0] == "exec":
			set(strings.Join(fields[1:], " "), 0)
		case len(fields) > 2 && fields[0] == "exits":
			code, _ := strconv.Atoi(fields[1])
			set(strings.Join(fields[2:], " "), code)
		case len(fields) == 3 && strings.HasPrefix(fields[0], "cmp") && strings.TrimPrefix(fields[2], "$WORK/") == name:
			twin := len(sides) == 1 && sides[0]
			if command[twin] == "" {
				return "", fmt.Errorf("%s: no command before %q", file, line)
			}
			output := script.HideNoNewlineMark(strings.ReplaceAll(string(want.Data), "$ADDR", learnerListen))
			learner := learnerCommand(command[twin], twin)
			if status[twin] != 0 && strings.HasPrefix(learner, "go run ") {
				// go run's own last line, after a program that failed
				output += fmt.Sprintf("exit status %d\n", status[twin])
			}
			return "$ " + learner + "\n" + output, nil
		}
	}
	return "", fmt.Errorf("%s never compares output with %q", file, name)
}

// learnerCommand is a script's command line as a learner types it: a step
// runs with go run, or its twin with python3, and $ADDR is the default
// address.
func learnerCommand(command string, twin bool) string {
	command = strings.ReplaceAll(command, " -addr $ADDR", "") // the default
	fields := strings.Fields(strings.ReplaceAll(command, "$ADDR", learnerAddr))
	switch {
	case stepNameRE.MatchString(fields[0]) && twin:
		fields[0] = "python3 " + twins.Dir + "/" + fields[0] + ".py"
	case stepNameRE.MatchString(fields[0]):
		fields[0] = "go run ./steps/" + fields[0]
	}
	for i, f := range fields {
		if strings.ContainsAny(f, "?&*") && !strings.HasPrefix(f, "'") {
			fields[i] = "'" + f + "'" // so a shell does not glob or background it
		}
	}
	return strings.Join(fields, " ")
}

var stepNameRE = regexp.MustCompile(`^[0-9][0-9]-[a-z-]+$`)

// scriptFile returns the file called name in a script, as a learner would
// see it: $ADDR is the default address.
func scriptFile(file, name string) (string, error) {
	_, f, err := readScriptFile(file, name)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(f.Data), "$ADDR", learnerListen), nil
}

// readScriptFile parses a script and finds its file called name.
func readScriptFile(file, name string) (*txtar.Archive, *txtar.File, error) {
	ar, err := txtar.ParseFile(filepath.FromSlash(file))
	if err != nil {
		return nil, nil, err
	}
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			return ar, &ar.Files[i], nil
		}
	}
	return nil, nil, fmt.Errorf("%s has no file %q", file, name)
}

// stepDiff returns what changed from one step's folder to the next: the
// tests added and the files left alone, a unified diff of each changed
// or new file, and each package inside the new step as its API and a
// line per file.
func stepDiff(oldDir, newDir string) (string, error) {
	var packages []string // the packages inside newDir
	read := func(dir string) (map[string][]byte, error) {
		entries, err := os.ReadDir(filepath.FromSlash(dir))
		if err != nil {
			return nil, err
		}
		files := map[string][]byte{}
		for _, e := range entries {
			path := filepath.Join(filepath.FromSlash(dir), e.Name())
			if e.IsDir() && isPackageDir(path) && dir == newDir {
				packages = append(packages, dir+"/"+e.Name())
			}
			if e.IsDir() || proc.GitIgnores(path) {
				continue // a binary or a profile left behind is no part of a step
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			files[e.Name()] = data
		}
		return files, nil
	}
	oldFiles, err := read(oldDir)
	if err != nil {
		return "", err
	}
	newFiles, err := read(newDir)
	if err != nil {
		return "", err
	}
	names := map[string]bool{}
	for name := range oldFiles {
		names[name] = true
	}
	for name := range newFiles {
		names[name] = true
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	var added, removed, same []string
	var diffs strings.Builder
	for _, name := range sorted {
		o, inOld := oldFiles[name]
		n, inNew := newFiles[name]
		switch {
		case !inOld && !strings.HasSuffix(name, "_test.go"):
			diffs.Write(diff.Diff("/dev/null", nil, newDir+"/"+name, n)) // a new file of the program, whole
		case !inOld:
			added = append(added, name)
		case !inNew:
			removed = append(removed, name)
		case bytes.Equal(o, n):
			same = append(same, name)
		default:
			diffs.Write(diff.Diff(oldDir+"/"+name, o, newDir+"/"+name, n))
		}
	}
	var b strings.Builder
	for _, group := range []struct {
		what  string
		names []string
	}{{"new tests", added}, {"removed", removed}, {"unchanged", same}} {
		if len(group.names) > 0 {
			fmt.Fprintf(&b, "# %s in %s: %s\n", group.what, newDir, strings.Join(group.names, ", "))
		}
	}
	for _, dir := range packages {
		summary, err := packageSummary(dir)
		if err != nil {
			return "", err
		}
		diffs.WriteString(summary)
	}
	return b.String() + diffs.String(), nil
}

// stepHunks returns the hunks of the diff of file from one step's folder to
// the next whose changed lines hold text, after the diff's --- and +++
// lines: the key change of a lesson, cut from the generated diff.
func stepHunks(oldDir, newDir, file, text string) (string, error) {
	oldPath, newPath := oldDir+"/"+file, newDir+"/"+file
	o, err := os.ReadFile(filepath.FromSlash(oldPath))
	if err != nil {
		return "", err
	}
	n, err := os.ReadFile(filepath.FromSlash(newPath))
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(diff.Diff(oldPath, o, newPath, n)), "\n")
	if len(lines) < 4 {
		return "", fmt.Errorf("%s and %s do not differ", oldPath, newPath)
	}
	out := lines[1] + lines[2] // --- and +++; the first line says diff OLD NEW
	found := false
	for i := 3; i < len(lines); {
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "@@") {
			end++
		}
		for _, line := range lines[i+1 : end] {
			if (strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-")) && strings.Contains(line, text) {
				out += strings.Join(lines[i:end], "")
				found = true
				break
			}
		}
		i = end
	}
	if !found {
		return "", fmt.Errorf("no changed line of %s holds %q", newPath, text)
	}
	return out, nil
}
