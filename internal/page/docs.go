package page

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
)

// linkRE finds markdown links: [text](target).
var linkRE = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)

// CheckLinks checks every relative link and #anchor in the repository's
// markdown files (not in _work/): the file must exist, and the anchor must
// be a heading.
func CheckLinks(t *testing.T) {
	var docs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != "." && strings.IndexAny(d.Name()[:1], "_.") == 0:
			return filepath.SkipDir // _work/, .git/ and the like
		case !d.IsDir() && strings.HasSuffix(path, ".md"):
			docs = append(docs, path)
		}
		return nil
	})
	if err != nil || len(docs) == 0 {
		t.Fatalf("no markdown files to check (%v)", err)
	}
	for _, doc := range docs {
		src, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range proseLines(string(src)) {
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				if file == "" {
					file = doc
				} else {
					file = filepath.Join(filepath.Dir(doc), filepath.FromSlash(file))
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s:%d: link %s: %v", doc, n, target, err)
					continue
				}
				if anchor == "" {
					continue
				}
				anchors, err := headingAnchors(file)
				if err != nil {
					t.Errorf("%s:%d: link %s: %v", doc, n, target, err)
				} else if !anchors[anchor] {
					t.Errorf("%s:%d: link %s: %s has no heading with anchor #%s", doc, n, target, file, anchor)
				}
			}
		}
	}
}

// proseLines returns a document's lines by number, with fenced code
// blocks blanked out: a link inside code is not a link.
func proseLines(doc string) map[int]string {
	lines := map[int]string{}
	fenced := false
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines[i+1] = line
		}
	}
	return lines
}

// headingAnchors returns the anchors GitHub makes for a markdown file's
// headings: lower case, punctuation dropped, spaces made hyphens.
func headingAnchors(file string) (map[string]bool, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(string(src)) {
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		text = strings.TrimSpace(strings.TrimLeft(text, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r > 127:
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", anchor, n)] = true
		} else {
			anchors[anchor] = true
		}
		seen[anchor]++
	}
	return anchors, nil
}

// CheckREADME reads the README's two commands and checks them: the run
// command (and the curl after it) is run as the README says, with the
// step built once and on a free loopback port; the test command must be
// the one .ci/run runs (running go test ./... from inside go test would
// run this test again, forever).
func CheckREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		commands = append(commands, strings.TrimSpace(block[1]))
	}
	if len(commands) != 2 {
		t.Fatalf("README.md has %d sh blocks, want exactly two commands (run, test): %q", len(commands), commands)
	}
	run, test := commands[0], commands[1]

	step, ok := strings.CutPrefix(run, "go run ./steps/")
	if !ok || !stepNameRE.MatchString(step) {
		t.Fatalf("README's run command %q is not go run ./steps/NN-name", run)
	}
	curlRE := regexp.MustCompile("then, in a second terminal, `curl (http://localhost:8080)`")
	m := curlRE.FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatalf("README.md does not say to curl the server: want %s", curlRE)
	}
	srv := proc.StartServer(t, step)
	url := strings.Replace(m[1], "localhost:8080", srv.Addr, 1)
	var out, errOut bytes.Buffer
	if code := script.Curl([]string{url}, &out, &errOut); code != 0 {
		t.Fatalf("curl %s: exit status %d: %s\nthe server (exited: %v) wrote:\n%s", url, code, errOut.String(), srv.HasExited(), srv.Stderr)
	}
	if !strings.Contains(out.String(), "Wellcome the 8th Meetup of VietOpenStack") {
		t.Errorf("curl %s printed %q, want the greeting", url, out.String())
	}

	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(test) + `$`).Match(ci) {
		t.Errorf("README's test command %q is not a line of .ci/run, so CI does not run it", test)
	}
}

// CheckLength keeps a markdown file to at most max lines: TUTORIAL.md is
// a learner's path, to read in one or two sittings, and what a maintainer
// or a curious reader wants goes to docs/.
func CheckLength(t *testing.T, doc string, max int) {
	src, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "\n"); n > max {
		t.Errorf("%s has %d lines, at most %d wanted: move what a learner can do without to docs/", doc, n, max)
	}
}
