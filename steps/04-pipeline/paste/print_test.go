package paste

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// countingWriter counts what is written to it, and keeps nothing.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// nestedTree resolves bigConfigs' nested-composites, n deep.
func nestedTree(t *testing.T, n int) *Context {
	t.Helper()
	data := []byte(bigConfigs["nested-composites"](n))
	r := &resolver{registry: testRegistry(t), readFile: func(string) ([]byte, error) { return data, nil }}
	tree, err := r.resolve("big.ini", "c0")
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestPrintDeepTree: -print writes a tree nested thousands deep in space
// that grows with the tree, not with the square of its depth: past
// maxIndent levels, a line keeps that indentation, and its heading says
// its depth.
func TestPrintDeepTree(t *testing.T) {
	const n = 5000
	tree := nestedTree(t, n)
	var w countingWriter
	if err := Print(&w, tree); err != nil {
		t.Fatal(err)
	}
	// A line is its indentation, at most 2*maxIndent bytes, a [depth N]
	// and a heading of under 100 bytes.
	if w.n > (2*maxIndent+120)*(n+1) {
		t.Errorf("-print of composites %d deep wrote %d bytes, more than %d a line", n, w.n, 2*maxIndent+120)
	}

	var b strings.Builder
	if err := Print(&b, nestedTree(t, 40)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	for depth, want := range map[int]string{
		1:             "  / -> composite:c1: urlmap  big.ini:5",
		maxIndent:     strings.Repeat("  ", maxIndent) + "/ -> composite:c32: urlmap  big.ini:129",
		maxIndent + 1: strings.Repeat("  ", maxIndent) + "[depth 33] / -> composite:c33: urlmap  big.ini:133",
		40:            strings.Repeat("  ", maxIndent) + "[depth 40] / -> app:c40: greeting  big.ini:161",
	} {
		if lines[depth] != want {
			t.Errorf("-print's line at depth %d:\n%q\nwant\n%q", depth, lines[depth], want)
		}
	}
}

// TestWriteJSONDeepTree: -print -json writes a tree maxJSONDepth deep,
// and refuses a deeper one with an error at the FILE:LINE of a context
// past that depth, at once, not encoding/json's "exceeded max depth" after
// it has indented gigabytes.
func TestWriteJSONDeepTree(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, nestedTree(t, maxJSONDepth), false); err != nil {
		t.Fatalf("a tree %d deep: %v", maxJSONDepth, err)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Errorf("a tree %d deep: its JSON does not read back: %v", maxJSONDepth, err)
	}

	err := writeJSON(&buf, nestedTree(t, 5000), false)
	const want = "big.ini:805: -print -json writes a tree at most 200 contexts deep, and this context is 201 deep: -print shows any depth"
	if err == nil || err.Error() != want {
		t.Errorf("a tree 5000 deep: %v, want %s", err, want)
	}
}

// TestPrintManyDefaults: -print looks through a context's global conf
// only when it is not the one above's, and sorts only the keys that
// differ, so that 500 contexts under 5,000 [DEFAULT] keys do not copy and
// sort them 500 times: with 50,000 keys and 2,000 contexts, a 640 KB
// config, that took 24 seconds.
func TestPrintManyDefaults(t *testing.T) {
	var b strings.Builder
	b.WriteString("[DEFAULT]\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "d%d = v\n", i)
	}
	b.WriteString(bigConfigs["nested-composites"](500))
	data := []byte(b.String())
	r := &resolver{registry: testRegistry(t), readFile: func(string) ([]byte, error) { return data, nil }}
	tree, err := r.resolve("big.ini", "c0")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := Print(io.Discard, tree); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 4<<20 {
		t.Errorf("-print of 500 contexts under 5,000 [DEFAULT] keys allocated %d bytes, want under 4 MiB", allocated)
	}
}
