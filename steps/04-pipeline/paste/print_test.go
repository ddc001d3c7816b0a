package paste

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// nestedTree resolves nestedConfig(n): composites nested n deep.
func nestedTree(t *testing.T, n int) *Context {
	t.Helper()
	data := []byte(nestedConfig(n))
	r := &resolver{registry: testRegistry(t), readFile: func(string) ([]byte, error) { return data, nil }}
	tree, err := r.resolve("big.ini", "c0")
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestPrintDeepTree: past maxIndent levels, a line keeps that
// indentation, and its heading says its depth.
func TestPrintDeepTree(t *testing.T) {
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

// TestNestingLimit: a tree maxNesting deep loads, and its JSON reads
// back; one deeper is refused at the FILE:LINE of the name that goes too
// deep, as Paste Deploy's recursion limit refuses it.
func TestNestingLimit(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, nestedTree(t, maxNesting), false); err != nil {
		t.Fatalf("a tree %d deep: %v", maxNesting, err)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Errorf("a tree %d deep: its JSON does not read back: %v", maxNesting, err)
	}
	for _, config := range []string{nestedConfig(maxNesting + 1), useChain(maxNesting + 1)} {
		data := []byte(config)
		r := &resolver{registry: testRegistry(t), readFile: func(string) ([]byte, error) { return data, nil }}
		_, err := r.resolve("big.ini", "c0")
		const want = `: sections nest more than 200 deep, the most step 04 loads: is this config made by a program?`
		if err == nil || !regexp.MustCompile(`^big.ini:[0-9]+: `).MatchString(err.Error()) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("a config nested %d deep: %v, want big.ini:LINE: ...%s", maxNesting+1, err, want)
		}
	}
}

// nestedConfig is composites nested n deep.
func nestedConfig(n int) string {
	return chainConfig(n, "[composite:c%d]\nuse = egg:Paste#urlmap\n/ = c%d\n\n")
}

// useChain is n sections, each of which uses the next.
func useChain(n int) string {
	return chainConfig(n, "[app:c%d]\nuse = c%d\n\n")
}

// chainConfig is n sections c0 to c(n-1), each made by section from its
// number and the next's, then the app cn.
func chainConfig(n int, section string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, section, i, i+1)
	}
	fmt.Fprintf(&b, "[app:c%d]\nuse = egg:tutorial#greeting\n", n)
	return b.String()
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
	b.WriteString(bigConfigs["wide-urlmap"](500)) // 500 apps under one urlmap
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

// TestPrintFilterAppExplicit: a filter-app whose filter names its factory
// with a protocol key is shown with its section and its FILE:LINE.
func TestPrintFilterAppExplicit(t *testing.T) {
	tree, err := Load("testdata/conformance/filter-app-explicit.ini", "main", testRegistry(t))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Print(&b, tree); err != nil {
		t.Fatal(err)
	}
	const want = "  filter-app:main: request_id  testdata/conformance/filter-app-explicit.ini:2\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("-print of a filter-app with an explicit factory:\n%s\nwant a line\n%s", b.String(), want)
	}
}
