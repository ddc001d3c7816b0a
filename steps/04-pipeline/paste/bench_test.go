package paste

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The load benchmarks parse, resolve and build configs of 1,000 to
// 100,000 sections or keys, and report the time per section (or key):
// loading is linear when it stays flat as the config grows.
//
//	go test -run '^$' -bench Load -benchmem ./steps/04-pipeline/paste

// bigConfigs are wide configs of n sections or keys, in the shapes that
// were superlinear once: a urlmap of n apps, a pipeline of n filters,
// and n [DEFAULT] keys.
var bigConfigs = map[string]func(n int) string{
	"wide-urlmap": func(n int) string {
		var b strings.Builder
		b.WriteString("[composite:c0]\nuse = egg:Paste#urlmap\n")
		for i := range n {
			fmt.Fprintf(&b, "/%d = a%d\n", i, i)
		}
		for i := range n {
			fmt.Fprintf(&b, "[app:a%d]\nuse = egg:tutorial#greeting\n", i)
		}
		return b.String()
	},
	"long-pipeline": func(n int) string {
		var b strings.Builder
		b.WriteString("[pipeline:c0]\npipeline =")
		for i := range n {
			fmt.Fprintf(&b, " f%d", i)
		}
		b.WriteString(" greeting\n[app:greeting]\nuse = egg:tutorial#greeting\n")
		for i := range n {
			fmt.Fprintf(&b, "[filter:f%d]\nuse = egg:tutorial#request_id\n", i)
		}
		return b.String()
	},
	"default-keys": func(n int) string {
		var b strings.Builder
		b.WriteString("[DEFAULT]\n")
		for i := range n {
			fmt.Fprintf(&b, "key%d = %%(here)s/%d\n", i, i)
		}
		b.WriteString("\n[pipeline:c0]\npipeline = sizelimit greeting\n\n[filter:sizelimit]\nuse = egg:tutorial#sizelimit\n\n[app:greeting]\nuse = egg:tutorial#greeting\n")
		return b.String()
	},
}

// BenchmarkLoad loads each of bigConfigs at 1,000, 10,000 and 100,000
// sections or keys, and reports the nanoseconds per section.
func BenchmarkLoad(b *testing.B) {
	reg := testRegistry(b)
	for _, name := range []string{"wide-urlmap", "long-pipeline", "default-keys"} {
		for _, n := range []int{1_000, 10_000, 100_000} {
			data := []byte(bigConfigs[name](n))
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					loadBytes(b, reg, data)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/section")
			})
		}
	}
}

// loadBytes parses, resolves and builds data as big.ini, from memory.
func loadBytes(tb testing.TB, reg *Registry, data []byte) http.Handler {
	r := &resolver{registry: reg, readFile: func(string) ([]byte, error) { return data, nil }}
	tree, err := r.resolve("big.ini", "c0")
	if err != nil {
		tb.Fatal(err)
	}
	h, err := builder{reg}.app(tree)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
