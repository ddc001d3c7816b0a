package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The benchmarks measure what each layer costs a request, in-process:
//
//	go test -run '^$' -bench . -benchmem ./steps/04-pipeline
//
// docs/costs.md has the figures, and how to read them.

// discardWriter is a ResponseWriter that keeps nothing but its header map,
// reused from one request to the next, so a benchmark measures the
// handler and not the recorder.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// serve runs h on a GET of path, b.N times, with nothing but h allocating.
func serve(b *testing.B, h http.Handler, path string, header http.Header) {
	b.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for name, values := range header {
		r.Header[name] = values
	}
	w := &discardWriter{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.header)
		h.ServeHTTP(w, r)
	}
}

// nothing is a handler that does nothing: under a layer alone, it leaves
// the layer's own cost.
var nothing = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// BenchmarkApp is the bare application: the greeting, routed by the mux.
func BenchmarkApp(b *testing.B) {
	serve(b, newApp(greeting), "/", nil)
}

// BenchmarkLayer is each middleware alone, around a handler that does
// nothing: "none" is that handler alone, and "pass-through" a layer that
// only calls it, so a layer's own cost is its figure less none's.
func BenchmarkLayer(b *testing.B) {
	logger := discardLogger()
	layers := []struct {
		name   string
		m      middleware
		path   string
		header http.Header
	}{
		{"none", func(next http.Handler) http.Handler { return next }, "/", nil},
		{"pass-through", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
		}, "/", nil},
		{"request_id", requestID, "/", nil},
		{"accesslog", accessLog(logger), "/", nil},
		{"faultwrap", faultWrap(logger), "/", nil},
		{"sizelimit", sizeLimit(defaultMaxBodySize), "/", nil},
		{"healthcheck/passing-on", healthcheck("/healthcheck"), "/", nil},
		{"healthcheck/answering", healthcheck("/healthcheck"), "/healthcheck", nil},
		{"authtoken", authToken("s3cret"), "/", http.Header{"X-Auth-Token": {"s3cret"}}},
	}
	for _, l := range layers {
		b.Run(l.name, func(b *testing.B) {
			serve(b, l.m(nothing), l.path, l.header)
		})
	}
}

// BenchmarkPipeline is the shipped api-paste.ini's whole pipeline, access
// log to io.Discard, answering GET /: compare it with BenchmarkApp.
func BenchmarkPipeline(b *testing.B) {
	h, err := loadConfig("api-paste.ini", "main", discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	serve(b, h, "/", nil)
}

// The load benchmarks parse, resolve and build configs of 100,000
// sections or keys, so that loading stays linear in the size of the config:
//
//	go test -run '^$' -bench Load -benchmem ./steps/04-pipeline
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
	reg := newRegistry(discardLogger())
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
func loadBytes(tb testing.TB, reg registry, data []byte) http.Handler {
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
