package page

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHeadingAnchors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.md")
	os.WriteFile(file, []byte("# Chapter 1: the app\n## WSGI and Go, side by side\n## Run it\n## Run it\n```\n# not a heading\n```\n"), 0o666)
	got, err := headingAnchors(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"chapter-1-the-app", "wsgi-and-go-side-by-side", "run-it", "run-it-1"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a line in a code block became a heading")
	}
}
