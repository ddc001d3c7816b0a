package script

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/proc"
)

// The script commands the exercises' checks use, to reject plausible
// wrong solutions: requests that arrive at once, a shutdown's measured
// duration, and shared state that a handler changes without a lock.

// cmdBurst implements "burst N URL": it sends N GETs of URL at once, each
// on a connection of its own, and requires every one to answer 200: a
// handler's shared state meets requests that arrive together.
func cmdBurst(ts *testscript.TestScript, neg bool, args []string) {
	n, err := 0, error(nil)
	if len(args) == 2 {
		n, err = strconv.Atoi(args[0])
	}
	if neg || len(args) != 2 || err != nil || n < 1 {
		ts.Fatalf("usage: burst count url")
	}
	client := &http.Client{Timeout: proc.WaitLimit, Transport: &http.Transport{DisableKeepAlives: true}}
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		go func() {
			<-start // all at once
			resp, err := client.Get(args[1])
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("%s answered %s", args[1], resp.Status)
				}
			}
			errs <- err
		}()
	}
	close(start)
	failed := 0
	var first error
	for range n {
		if err := <-errs; err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	if failed > 0 {
		ts.Fatalf("burst: %d of %d requests at once failed; the first: %v", failed, n, first)
	}
}

// cmdShutdowntook implements "shutdowntook REQ REGEXP": after a "signal"
// that shut a server down while the request "inflight REQ" started ran,
// it reads the duration REGEXP's first group finds in stderr, the time the
// server says its shutdown took, and requires it to be measured: no longer
// than the script saw from the signal to now, and at least what the
// request still had to run when the signal came, less signalSlack.
func cmdShutdowntook(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: shutdowntook request regexp")
	}
	now := time.Now()
	p := pendingRequests(ts)[args[0]]
	signalled := state(ts).lastSignal
	if p == nil || p.sleep == 0 || signalled.IsZero() {
		ts.Fatalf("shutdowntook: want an inflight %s of /sleep?d=..., then a signal", args[0])
	}
	re, err := regexp.Compile("(?m)" + args[1])
	if err != nil || re.NumSubexp() < 1 {
		ts.Fatalf("shutdowntook: %q must be a regexp with a group for the duration", args[1])
	}
	m := re.FindStringSubmatch(ts.ReadFile("stderr"))
	if m == nil {
		ts.Fatalf("shutdowntook: no match for %s in stderr", args[1])
	}
	took, err := time.ParseDuration(m[1])
	if err != nil {
		ts.Fatalf("shutdowntook: %q is not a duration: %v", m[1], err)
	}
	// The server's clock starts after the signal and stops before now; a
	// rounding to the millisecond may add half of one.
	if most := now.Sub(signalled) + time.Millisecond; took > most {
		ts.Fatalf("shutdowntook: the server says its shutdown took %v, but it began and ended within %v: it did not measure it", took, most.Round(time.Millisecond))
	}
	// The request in flight held the shutdown until it ended.
	remaining := p.started.Add(p.sleep).Sub(signalled)
	if least := remaining - signalSlack; took < least {
		ts.Fatalf("shutdowntook: the server says its shutdown took %v, but the request in flight had %v still to run when the signal came, and the shutdown waits for it", took, remaining.Round(time.Millisecond))
	}
}

// signalSlack is how late a server may handle a signal on a busy machine,
// and so start its clock late: shutdowntook allows for it.
const signalSlack = 300 * time.Millisecond

// cmdGuardedwrites implements "guardedwrites DIR": it reads the program in
// DIR (its Go files, not its tests) and fails, naming each, on an HTTP
// handler that changes a variable declared outside it, or a field of its
// pointer receiver, with no Lock call in it. net/http runs handlers at
// once, each in a goroutine of its own, so such a change is a data race,
// whether or not the race detector runs. A change made through sync/atomic
// is a method call, not an assignment, and passes.
func cmdGuardedwrites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: guardedwrites dir")
	}
	problems, err := unguardedWrites(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("guardedwrites: %v", err)
	}
	if len(problems) > 0 {
		ts.Fatalf("%s\nnet/http serves each request in a goroutine of its own, at the same time as others: "+
			"use sync/atomic (an atomic.Int64, say), or hold a sync.Mutex while you change it", strings.Join(problems, "\n"))
	}
}

// unguardedWrites returns FILE:LINE: what, for each write guardedwrites
// refuses in the program in dir.
func unguardedWrites(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	pkgVars := map[string]bool{} // declared at the top level, in any file
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						pkgVars[id.Name] = true
					}
				}
			}
		}
	}
	var problems []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			var typ *ast.FuncType
			var body *ast.BlockStmt
			name, recv := "a handler", ""
			switch fn := n.(type) {
			case *ast.FuncDecl:
				typ, body, name = fn.Type, fn.Body, fn.Name.Name
				if fn.Recv != nil && len(fn.Recv.List) == 1 {
					field := fn.Recv.List[0]
					rtype := field.Type
					if star, ok := rtype.(*ast.StarExpr); ok {
						rtype = star.X
						if len(field.Names) == 1 {
							recv = field.Names[0].Name // a pointer: its fields are shared
						}
					}
					name = exprString(rtype) + "." + name
				}
			case *ast.FuncLit:
				typ, body = fn.Type, fn.Body
			default:
				return true
			}
			if body == nil || !isHandler(typ) || callsLock(body) {
				return true
			}
			w := writes{fset: fset, fn: n, recv: recv, pkgVars: pkgVars}
			for _, target := range w.shared(body) {
				pos := fset.Position(target.Pos())
				problems = append(problems, fmt.Sprintf("%s:%d: %s changes %s without a lock",
					filepath.Base(pos.Filename), pos.Line, name, exprString(target)))
			}
			return true
		})
	}
	return problems, nil
}

// isHandler reports whether a function takes (http.ResponseWriter,
// *http.Request), as a handler does.
func isHandler(typ *ast.FuncType) bool {
	var params []ast.Expr
	for _, field := range typ.Params.List {
		for range max(len(field.Names), 1) {
			params = append(params, field.Type)
		}
	}
	if len(params) != 2 {
		return false
	}
	star, ok := params[1].(*ast.StarExpr)
	return ok && exprString(params[0]) == "http.ResponseWriter" && exprString(star.X) == "http.Request"
}

// callsLock reports whether body calls a method named Lock.
func callsLock(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Lock" {
				found = true
			}
		}
		return !found
	})
	return found
}

// writes finds the assignments in a handler to state it shares with other
// requests.
type writes struct {
	fset    *token.FileSet
	fn      ast.Node // the handler
	recv    string   // its pointer receiver's name, if any
	pkgVars map[string]bool
}

// shared returns what body assigns to, or increments, that outlives one
// request.
func (w writes) shared(body *ast.BlockStmt) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.IncDecStmt:
			if w.isShared(s.X) {
				out = append(out, s.X)
			}
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				return true
			}
			for _, lhs := range s.Lhs {
				if w.isShared(lhs) {
					out = append(out, lhs)
				}
			}
		}
		return true
	})
	return out
}

// isShared reports whether e names state declared outside the handler: a
// package variable, a variable it closes over, or a field of its pointer
// receiver, or an element of one of them.
func (w writes) isShared(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return w.isShared(e.X)
	case *ast.StarExpr:
		return w.isShared(e.X)
	case *ast.IndexExpr:
		return w.isShared(e.X)
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok && id.Name == w.recv && w.recv != "" {
			return true
		}
		return w.isShared(e.X)
	case *ast.Ident:
		if e.Name == "_" {
			return false
		}
		if e.Obj == nil { // declared in another file: at the top level, if anywhere
			return w.pkgVars[e.Name]
		}
		if d, ok := e.Obj.Decl.(ast.Node); ok {
			return d.Pos() < w.fn.Pos() || d.Pos() >= w.fn.End()
		}
	}
	return false
}

// exprString is an expression as source text, for the few kinds a write's
// target is made of.
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(e.X)
	case *ast.ParenExpr:
		return "(" + exprString(e.X) + ")"
	case *ast.IndexExpr:
		return exprString(e.X) + "[...]"
	}
	return "a value"
}
