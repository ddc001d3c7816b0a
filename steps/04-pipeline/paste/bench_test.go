package paste

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The load benchmarks parse, resolve and build configs of 100,000
// sections or keys, so that loading stays linear in the size of the config:
//
//	go test -run '^$' -bench Load -benchmem ./steps/04-pipeline/paste
//
// Each must stay well under a second per op.

// bigConfigs are the shapes that were superlinear once: composites nested
// 100,000 deep, a use = chain 100,000 long, and 100,000 [DEFAULT] keys.
var bigConfigs = map[string]func(n int) string{
	"nested-composites": func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "[composite:c%d]\nuse = egg:Paste#urlmap\n/ = c%d\n\n", i, i+1)
		}
		fmt.Fprintf(&b, "[app:c%d]\nuse = egg:tutorial#greeting\n", n)
		return b.String()
	},
	"use-chain": func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "[app:c%d]\nuse = c%d\n\n", i, i+1)
		}
		fmt.Fprintf(&b, "[app:c%d]\nuse = egg:tutorial#greeting\n", n)
		return b.String()
	},
	"default-keys": func(n int) string {
		var b strings.Builder
		b.WriteString("[DEFAULT]\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "key%d = %%(here)s/%d\n", i, i)
		}
		b.WriteString("\n[pipeline:c0]\npipeline = sizelimit greeting\n\n[filter:sizelimit]\nuse = egg:tutorial#sizelimit\n\n[app:greeting]\nuse = egg:tutorial#greeting\n")
		return b.String()
	},
}

// BenchmarkLoad loads each of bigConfigs, with 100,000 sections or keys.
func BenchmarkLoad(b *testing.B) {
	reg := testRegistry(b)
	for _, name := range []string{"nested-composites", "use-chain", "default-keys"} {
		data := []byte(bigConfigs[name](100_000))
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				loadBytes(b, reg, data)
			}
		})
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
