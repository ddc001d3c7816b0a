package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnguardedWrites runs guardedwrites' reading of a program on counters
// written the right ways and the wrong ones.
func TestUnguardedWrites(t *testing.T) {
	const head = "package main\n\nimport (\n\t\"net/http\"\n\t\"sync\"\n\t\"sync/atomic\"\n)\n\nvar _ sync.Mutex\nvar _ atomic.Int64\n\n"
	for _, tc := range []struct {
		name, src string
		want      string // a part of the one problem, or "" for none
	}{
		{"atomic", "var n atomic.Int64\n\nfunc h(w http.ResponseWriter, r *http.Request) { n.Add(1) }\n", ""},
		{"atomic function", "var n int64\n\nfunc h(w http.ResponseWriter, r *http.Request) { atomic.AddInt64(&n, 1) }\n", ""},
		{"mutex", "var mu sync.Mutex\nvar n int\n\nfunc h(w http.ResponseWriter, r *http.Request) {\n\tmu.Lock()\n\tn++\n\tmu.Unlock()\n}\n", ""},
		{"local", "func h(w http.ResponseWriter, r *http.Request) {\n\tn := 0\n\tn++\n\tvar m int\n\tm += n\n}\n", ""},
		{"a helper with its own lock", "var mu sync.Mutex\nvar n int\n\nfunc inc() { mu.Lock(); n++; mu.Unlock() }\n\nfunc h(w http.ResponseWriter, r *http.Request) { inc() }\n", ""},
		{"not a handler", "var n int\n\nfunc main() { n++ }\n", ""},
		{"value receiver", "type g struct{ n int }\n\nfunc (x g) ServeHTTP(w http.ResponseWriter, r *http.Request) { x.n++ }\n", ""},
		{"package variable", "var n int\n\nfunc h(w http.ResponseWriter, r *http.Request) { n++ }\n", "x.go:14: h changes n without a lock"},
		{"package variable, added to", "var n int\n\nfunc h(w http.ResponseWriter, r *http.Request) { n += 1 }\n", "h changes n without a lock"},
		{"package map", "var seen = map[string]int{}\n\nfunc h(w http.ResponseWriter, r *http.Request) { seen[r.URL.Path]++ }\n", "h changes seen[...] without a lock"},
		{"pointer receiver's field", "type g struct{ n int }\n\nfunc (x *g) ServeHTTP(w http.ResponseWriter, r *http.Request) { x.n++ }\n", "g.ServeHTTP changes x.n without a lock"},
		{"closed over", "func newApp() http.Handler {\n\tn := 0\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n++ })\n}\n", "a handler changes n without a lock"},
		{"grouped parameters", "var n int\n\nfunc h(w http.ResponseWriter, r *http.Request) {\n\tfunc(a, b int) {}(1, 2)\n\tn = n + 1\n}\n", "h changes n without a lock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "x.go"), []byte(head+tc.src), 0o666)
			os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package main\n\nvar t int\n\nfunc h2(w http.ResponseWriter, r *http.Request) { t++ }\n"), 0o666)
			problems, err := unguardedWrites(dir)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("a right program refused: %q", problems)
			case tc.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], tc.want)):
				t.Errorf("problems %q, want one with %q", problems, tc.want)
			}
		})
	}
}
