package page

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/proc"
)

// The diff and hunk markers' blocks: what a step changed, computed from
// two steps' folders (a package inside the new step: pkgapi.go).

// stepDiff returns what changed from one step's folder to the next: the
// tests added and the files left alone, a unified diff of each changed
// or new file, and each package inside the new step as its API and a
// line per file.
func stepDiff(oldDir, newDir string) (string, error) {
	var packages []string // the packages inside newDir
	read := func(dir string) (map[string][]byte, error) {
		entries, err := os.ReadDir(filepath.FromSlash(dir))
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		ignored := proc.GitIgnored(filepath.FromSlash(dir), names...)
		files := map[string][]byte{}
		for _, e := range entries {
			path := filepath.Join(filepath.FromSlash(dir), e.Name())
			if e.IsDir() && isPackageDir(path) && dir == newDir {
				packages = append(packages, dir+"/"+e.Name())
			}
			if e.IsDir() || ignored[e.Name()] {
				continue // a binary or a profile left behind is no part of a step
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			files[e.Name()] = data
		}
		return files, nil
	}
	oldFiles, err := read(oldDir)
	if err != nil {
		return "", err
	}
	newFiles, err := read(newDir)
	if err != nil {
		return "", err
	}
	names := map[string]bool{}
	for name := range oldFiles {
		names[name] = true
	}
	for name := range newFiles {
		names[name] = true
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	var added, removed, same []string
	var diffs strings.Builder
	for _, name := range sorted {
		o, inOld := oldFiles[name]
		n, inNew := newFiles[name]
		switch {
		case !inOld && !strings.HasSuffix(name, "_test.go"):
			diffs.Write(diff.Diff("/dev/null", nil, newDir+"/"+name, n)) // a new file of the program, whole
		case !inOld:
			added = append(added, name)
		case !inNew:
			removed = append(removed, name)
		case bytes.Equal(o, n):
			same = append(same, name)
		default:
			diffs.Write(diff.Diff(oldDir+"/"+name, o, newDir+"/"+name, n))
		}
	}
	var b strings.Builder
	for _, group := range []struct {
		what  string
		names []string
	}{{"new tests", added}, {"removed", removed}, {"unchanged", same}} {
		if len(group.names) > 0 {
			fmt.Fprintf(&b, "# %s in %s: %s\n", group.what, newDir, strings.Join(group.names, ", "))
		}
	}
	for _, dir := range packages {
		summary, err := packageSummary(dir)
		if err != nil {
			return "", err
		}
		diffs.WriteString(summary)
	}
	return b.String() + diffs.String(), nil
}

// stepHunks returns the hunks of the diff of file from one step's folder to
// the next whose changed lines hold text, after the diff's --- and +++
// lines: the key change of a lesson, cut from the generated diff.
func stepHunks(oldDir, newDir, file, text string) (string, error) {
	oldPath, newPath := oldDir+"/"+file, newDir+"/"+file
	o, err := os.ReadFile(filepath.FromSlash(oldPath))
	if err != nil {
		return "", err
	}
	n, err := os.ReadFile(filepath.FromSlash(newPath))
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(diff.Diff(oldPath, o, newPath, n)), "\n")
	if len(lines) < 4 {
		return "", fmt.Errorf("%s and %s do not differ", oldPath, newPath)
	}
	out := lines[1] + lines[2] // --- and +++; the first line says diff OLD NEW
	found := false
	for i := 3; i < len(lines); {
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "@@") {
			end++
		}
		for _, line := range lines[i+1 : end] {
			if (strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-")) && strings.Contains(line, text) {
				out += strings.Join(lines[i:end], "")
				found = true
				break
			}
		}
		i = end
	}
	if !found {
		return "", fmt.Errorf("no changed line of %s holds %q", newPath, text)
	}
	return out, nil
}
