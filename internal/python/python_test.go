package python

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lookAround prints each decoy a python3 finds as a distribution, or
// imports, one line each.
const lookAround = `import importlib.metadata
for name, module in [("swift", "swift"), ("oslo.middleware", "oslo_middleware"),
                     ("keystonemiddleware", "keystonemiddleware"), ("nova", "nova")]:
    try:
        importlib.metadata.distribution(name)
        print("found the distribution", name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        __import__(module)
    except ImportError as err:
        if "decoy" in str(err):
            print("imported", module)
`

// TestSealHidesTheDecoys runs the same script sealed and not: sealed, it
// finds none of the decoys on PYTHONPATH; not sealed, it finds them all,
// so the check can fail.
func TestSealHidesTheDecoys(t *testing.T) {
	py, err := WithDecoys(t.TempDir())
	if errors.Is(err, ErrNoPython) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "look.py")
	if err := os.WriteFile(script, []byte(lookAround), 0o666); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	sealed, err := py.Command(ctx, script).CombinedOutput()
	if err != nil || len(sealed) > 0 {
		t.Errorf("sealed, %s printed (%v):\n%s\nwant nothing: no decoy found, none imported", py.Exe, err, sealed)
	}
	open := exec.CommandContext(ctx, py.Exe, script)
	open.Env = append(os.Environ(), "PYTHONPATH="+py.PythonPath)
	out, err := open.CombinedOutput()
	if err != nil || strings.Count(string(out), "found the distribution") != len(decoys) ||
		strings.Count(string(out), "imported") != len(decoys) {
		t.Errorf("not sealed, %s printed (%v):\n%s\nwant each of the %d decoys found and imported", py.Exe, err, out, len(decoys))
	}
}

// TestFindWithoutPython: with no python3 on PATH, Find says so, and never
// falls back to /usr/bin/python3.
func TestFindWithoutPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Find(t.TempDir(), os.Environ())
	if !errors.Is(err, ErrNoPython) {
		t.Errorf("Find with no python3 on PATH: %v, want ErrNoPython", err)
	}
}

// TestSealLinksFilesOnly seals a Paste whose egg-info lists no files, into
// a paste/ folder that another distribution installs into too, and that
// requires Solo, an egg-info of a folder of its own. The seal takes Solo's
// files, none of the shared folder's, and writes nothing outside itself.
func TestSealLinksFilesOnly(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on PATH")
	}
	installed := t.TempDir()
	for path, text := range map[string]string{
		"Paste-9.egg-info/PKG-INFO":      "Metadata-Version: 1.1\nName: Paste\nVersion: 9\n",
		"Paste-9.egg-info/top_level.txt": "paste\n",
		"Paste-9.egg-info/requires.txt":  "Solo\n",
		"paste/urlmap.py":                "",
		"Leak-1.egg-info/PKG-INFO":       "Metadata-Version: 1.1\nName: Leak\nVersion: 1\n",
		"Leak-1.egg-info/top_level.txt":  "paste\n",
		"paste/oslo_leak.py":             "",
		"Solo-1.egg-info/PKG-INFO":       "Metadata-Version: 1.1\nName: Solo\nVersion: 1\n",
		"Solo-1.egg-info/top_level.txt":  "solo\n",
		"solo/__init__.py":               "",
		"solo/inner/part.py":             "",
	} {
		path = filepath.Join(installed, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, installed)
	py, err := Find(t.TempDir(), append(os.Environ(), "PYTHONPATH="+installed))
	if errors.Is(err, ErrNoPython) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if after := tree(t, installed); after != before {
		t.Errorf("sealing wrote into the installed distributions' folder:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	check := exec.CommandContext(ctx, py.Exe, "-I", "-S", "-c", `import os, sys
sys.path.insert(0, sys.argv[1])
import solo.inner.part
print("solo", os.path.islink(os.path.join(sys.argv[1], "solo")))
try:
    import paste.oslo_leak
    print("leaked")
except ImportError:
    pass
`, py.Site)
	out, err := check.CombinedOutput()
	if err != nil || string(out) != "solo False\n" {
		t.Errorf("sealed, a run printed (%v):\n%s\nwant \"solo False\": Solo's files linked in a folder of the seal's own, and no paste.oslo_leak", err, out)
	}
}

// tree lists the files below dir, one a line.
func tree(t *testing.T, dir string) string {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Name() != "__pycache__" {
			b.WriteString(path + "\n")
		}
		if err == nil && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLetIn lays out a second seal that lets in Real (and Bare, a module
// of one file with no metadata), installed beside Other: a run sealed
// with it imports real and bare, and still not other; the first seal
// imports none of them.
func TestLetIn(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on PATH")
	}
	installed := t.TempDir()
	for path, text := range map[string]string{
		"Real-1.egg-info/PKG-INFO":       "Metadata-Version: 1.1\nName: Real\nVersion: 1\n",
		"Real-1.egg-info/top_level.txt":  "real\n",
		"real/__init__.py":               "",
		"Other-1.egg-info/PKG-INFO":      "Metadata-Version: 1.1\nName: Other\nVersion: 1\n",
		"Other-1.egg-info/top_level.txt": "other\n",
		"other/__init__.py":              "",
		"bare.py":                        "",
	} {
		path = filepath.Join(installed, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	py, err := Find(t.TempDir(), append(os.Environ(), "PYTHONPATH="+installed))
	if errors.Is(err, ErrNoPython) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	real, err := py.LetIn(t.TempDir(), "Real", "bare")
	if err != nil {
		t.Fatal(err)
	}
	if real.Site == py.Site || real.Exe != py.Exe {
		t.Errorf("LetIn's seal is %s with %s, want a new site for the same python3 (%s, %s)", real.Exe, real.Site, py.Exe, py.Site)
	}
	modules := []string{"real", "bare"}
	if py.Paste != "" {
		modules = append(modules, "paste.urlmap") // what the first seal lets in, too
	}
	if err := real.Imports(modules...); err != nil {
		t.Errorf("with Real and bare let in: %v", err)
	}
	if err := real.Imports("other"); err == nil || !strings.Contains(err.Error(), "cannot import other (ModuleNotFoundError") {
		t.Errorf("with Real and bare let in, importing other: %v, want that it cannot import other", err)
	}
	if err := py.Imports("real"); err == nil {
		t.Errorf("the first seal imports real: LetIn changed it")
	}
}
