package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"
	"time"
)

// The benchmarks measure what each layer costs a request, in-process, and
// TestPipelineAllocs holds the shipped pipeline to its allocations:
//
//	go test -run '^$' -bench . -benchmem ./steps/04-pipeline
//	go test -run TestPipelineAllocs -v ./steps/04-pipeline
//
// docs/costs.md has the figures, and how to read them.

// discardWriter is a ResponseWriter that keeps nothing but its header map,
// reused from one request to the next, so a benchmark measures the
// handler and not the recorder. Like net/http's own writer, it takes a
// string as it is, with WriteString.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header               { return w.header }
func (w *discardWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (w *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (w *discardWriter) WriteHeader(int)                   {}

// answerer returns a function that serves one GET of path to a handler.
// The request and the writer are made once, so in a benchmark nothing but
// the handler allocates.
func answerer(path string, header http.Header) func(http.Handler) {
	r := httptest.NewRequest("GET", path, nil)
	for name, values := range header {
		r.Header[name] = values
	}
	w := &discardWriter{header: http.Header{}}
	return func(h http.Handler) {
		clear(w.header)
		h.ServeHTTP(w, r)
	}
}

// serve runs h on a GET of path, b.N times.
func serve(b *testing.B, h http.Handler, path string, header http.Header) {
	answer := answerer(path, header)
	b.ReportAllocs()
	for b.Loop() {
		answer(h)
	}
}

// nothing is a handler that does nothing: under a layer alone, it leaves
// the layer's own cost.
var nothing = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// shippedPipeline is what the shipped api-paste.ini builds, its access
// log formatted in full and written to io.Discard.
func shippedPipeline(tb testing.TB) http.Handler {
	tb.Helper()
	h, err := loadConfig("api-paste.ini", "main", discardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	return h
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
		{"healthcheck/passing-on", healthcheckFilter("/healthcheck", healthcheck{}), "/", nil},
		{"healthcheck/answering", healthcheckFilter("/healthcheck", healthcheck{}), "/healthcheck", nil},
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
	serve(b, shippedPipeline(b), "/", nil)
}

// BenchmarkPipelineOverApp serves GET / with the bare app and with the
// shipped pipeline in turn, a thousand requests at a time, so that both
// run under the same load, however the machine's load changes. It reports
// each one's time per request, what the pipeline adds, and the ratio.
func BenchmarkPipelineOverApp(b *testing.B) {
	app, pipeline := newApp(greeting), shippedPipeline(b)
	answer := answerer("/", nil)
	var appTime, pipelineTime time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += 1000 {
		n := min(1000, b.N-done)
		start := time.Now()
		for range n {
			answer(app)
		}
		middle := time.Now()
		for range n {
			answer(pipeline)
		}
		appTime += middle.Sub(start)
		pipelineTime += time.Since(middle)
	}
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
	b.ReportMetric(perOp(appTime), "app-ns/op")
	b.ReportMetric(perOp(pipelineTime), "pipeline-ns/op")
	b.ReportMetric(perOp(pipelineTime-appTime), "added-ns/op")
	b.ReportMetric(float64(pipelineTime)/float64(appTime), "pipeline/app")
}

// pipelineAllocs is what the shipped pipeline allocates per request over
// the bare app: requestID's id, its context and the request copy that
// carries it; accessLog's statusWriter, and the sixth attribute of slog's
// record, which holds five inline.
const pipelineAllocs = 5

// TestPipelineAllocs holds the shipped pipeline to exactly pipelineAllocs
// allocations per request over the bare app, its access line formatted.
// Allocations are counted, not timed, so they hold on any machine.
func TestPipelineAllocs(t *testing.T) {
	if raceBuilt() {
		t.Skip("under -race, sync.Pool drops what it is given at random, so slog's buffers allocate at random")
	}
	answer := answerer("/", nil)
	allocs := func(h http.Handler) int {
		return int(testing.AllocsPerRun(100, func() { answer(h) }))
	}
	app := allocs(newApp(greeting))
	pipeline := allocs(shippedPipeline(t))
	got := pipeline - app
	switch {
	case got > pipelineAllocs:
		t.Errorf("the shipped pipeline allocates %d times per request over the bare app (%d against %d), want %d.\n"+
			"Find the new allocation with\n"+
			"\tgo test -run '^$' -bench '^BenchmarkPipeline$' -memprofile mem.out -memprofilerate 1 ./steps/04-pipeline\n"+
			"\tgo tool pprof -sample_index=alloc_objects -top mem.out",
			got, pipeline, app, pipelineAllocs)
	case got < pipelineAllocs:
		t.Errorf("the shipped pipeline allocates %d times per request over the bare app (%d against %d), fewer than %d.\n"+
			"If it still formats the access line, set pipelineAllocs to %[1]d, and update docs/costs.md.",
			got, pipeline, app, pipelineAllocs)
	}
}

// raceBuilt reports whether this test was built with -race.
func raceBuilt() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
