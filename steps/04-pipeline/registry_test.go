package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// registryFile is the registry as the loader's tests know it: they load
// configs with stand-ins of these factories.
const registryFile = "paste/testdata/registry.txt"

// TestRegistryFile keeps the loader's tests loading with the registry
// step 04 has.
func TestRegistryFile(t *testing.T) {
	want := newRegistry(discardLogger()).String()
	got, err := os.ReadFile(registryFile)
	if err != nil || string(got) != want {
		t.Errorf("%s is not the registry (%v): write into it\n%s", registryFile, err, want)
	}
}

// TestTwinEntryPoints checks that the Python twin's own distribution,
// whose entry points the conformance recordings use for egg:tutorial,
// has the entry points the registry has under egg:tutorial, of the same
// kinds.
func TestTwinEntryPoints(t *testing.T) {
	path := filepath.Join("..", "..", "python", "04-pipeline-site", "tutorial-0.dist-info", "entry_points.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no Python twin here: %v", err)
	}
	defer f.Close()
	groups := map[string]string{"paste.app_factory": "app", "paste.filter_factory": "filter", "paste.composite_factory": "composite"}
	var twin []string
	group := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "["):
			group = strings.Trim(line, "[]")
		case line != "":
			name, _, _ := strings.Cut(line, "=")
			twin = append(twin, groups[group]+" "+strings.TrimSpace(name))
		}
	}
	slices.Sort(twin)
	if goSide := newRegistry(discardLogger()).Own(); !slices.Equal(twin, goSide) {
		t.Errorf("%s has %q;\nthe registry has %q under egg:tutorial", path, twin, goSide)
	}
}
