// Package python finds the python3 the tests run the Python twins and the
// conformance recorder with, and runs it sealed: an isolated interpreter
// (-I -S) whose sys.path holds the standard library and one folder, its
// site, of links to the files of Paste Deploy, Paste, and what they
// require. Nothing else installed for that python3 (swift, oslo.middleware,
// nova, keystonemiddleware ...) can be imported or found as a distribution
// by a sealed run, nor anything on PYTHONPATH or in the user's site.
// docs/twins.md states the rule for readers. The one exception is LetIn's
// second seal, for the parity test alone.
package python

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// allowed are the distributions a sealed python3 sees, with what they
// require: Paste Deploy, and Paste for its urlmap.
var allowed = []string{"PasteDeploy", "Paste"}

// probeLimit bounds each run of python3 that Find makes: a python3 that
// has not answered by then does not run.
const probeLimit = 30 * time.Second

// system is the python3 Debian's python3-pastedeploy installs for.
const system = "/usr/bin/python3"

// Python is a python3 found for the tests, and its seal.
type Python struct {
	Exe     string // the interpreter, as sys.executable names it
	Version string // its version: 3.11.2
	Site    string // the seal: the one folder on a sealed run's sys.path beside the standard library
	// Paste is Paste Deploy's version, where the seal has Paste Deploy and
	// Paste's urlmap; "" where it has not.
	Paste string
	// Passed is the python3 on PATH where Find passed it by, for it lacks
	// Paste Deploy and /usr/bin/python3 has it; "" where Find took it.
	Passed string
	// PythonPath is the PYTHONPATH its runs are given, if not "": the
	// decoys, for WithDecoys. A sealed run ignores it.
	PythonPath string

	unsealable string   // why an installed Paste Deploy cannot be sealed in
	env        []string // the environment Find looked in, for LetIn
}

//go:embed seal.py
var sealPy string

// boot starts a sealed run: python3 -I -S -c boot SITE SCRIPT ARGS... puts
// SCRIPT's folder (as python3 SCRIPT does) and SITE first on sys.path, and
// runs SCRIPT as __main__, with ARGS as its sys.argv[1:].
const boot = "import os, runpy, sys; sys.path.insert(0, sys.argv.pop(1)); del sys.argv[0]; " +
	"sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0]))); " +
	"runpy.run_path(sys.argv[0], run_name='__main__')"

// ErrNoPython is the error Find wraps where there is no python3 to use:
// none on PATH, one older than 3.9, or one that does not run. Any other
// error of Find's is a fault of the seal's own.
var ErrNoPython = errors.New("no python3 to run")

// Find returns the python3 the tests use, with its seal laid out in dir;
// env is the environment in which it looks for what it seals in, as
// os.Environ() is for a learner's python3. The rule, said once: the
// python3 on PATH, if it is 3.9 or later; but on Linux, where that one
// lacks Paste Deploy (or is older, or does not run) and /usr/bin/python3
// has it, /usr/bin/python3, where Debian's python3-pastedeploy installs
// it. With no python3 on PATH, or no python3 of 3.9 or later to use,
// Find returns an error wrapping ErrNoPython.
func Find(dir string, env []string) (*Python, error) {
	onPath, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("%w: none on PATH", ErrNoPython)
	}
	candidates := []string{onPath}
	if runtime.GOOS == "linux" && !samePython(onPath, system) { // elsewhere it may be a stub that offers to install one
		candidates = append(candidates, system)
	}
	var found *Python
	var noPython error
	for i, candidate := range candidates {
		p, err := probe(candidate, filepath.Join(dir, fmt.Sprint(i)), env)
		switch {
		case errors.Is(err, ErrNoPython):
			if i == 0 {
				noPython = err
			}
		case err != nil:
			return nil, err
		case p.Paste != "":
			if found != nil {
				p.Passed = found.Exe
			}
			return p, nil
		case i == 0:
			found = p // on PATH, without Paste Deploy: for steps 01 to 03
		}
	}
	if found == nil {
		return nil, noPython
	}
	return found, nil
}

// WithDecoys is Find, with the decoys (writeDecoys) first on PYTHONPATH,
// as an OpenStack developer's machine has the real ones installed: a
// sealed run must not see them, and its PythonPath keeps them there. It
// lays out both in dir.
func WithDecoys(dir string) (*Python, error) {
	decoys := filepath.Join(dir, "decoys")
	if err := writeDecoys(decoys); err != nil {
		return nil, err
	}
	pythonPath := decoys
	if v := os.Getenv("PYTHONPATH"); v != "" {
		pythonPath += string(os.PathListSeparator) + v
	}
	p, err := Find(filepath.Join(dir, "site"), append(os.Environ(), "PYTHONPATH="+pythonPath))
	if err != nil {
		return nil, err
	}
	p.PythonPath = pythonPath
	return p, nil
}

// samePython reports whether a and b name the same file, links followed.
func samePython(a, b string) bool {
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}

// probe runs seal.py with python, laying out a site in dir, and checks
// that a sealed run can import Paste Deploy and Paste's urlmap from it.
func probe(python, site string, env []string) (*Python, error) {
	if err := os.MkdirAll(site, 0o777); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", sealPy, site}, allowed...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not run (%v)", ErrNoPython, python, err)
	}
	var got struct {
		Executable string            `json:"executable"`
		Version    string            `json:"version"`
		Linked     map[string]string `json:"linked"`
		Error      string            `json:"error"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		return nil, fmt.Errorf("%s: seal.py printed no JSON: %v", python, err)
	}
	if got.Error != "" {
		return nil, fmt.Errorf("%s: seal.py failed:\n%s", python, got.Error)
	}
	if !atLeast39(got.Version) {
		return nil, fmt.Errorf("%w: %s is Python %s, older than 3.9", ErrNoPython, python, got.Version)
	}
	p := &Python{Exe: got.Executable, Version: got.Version, Site: site, env: env}
	if p.Exe == "" {
		p.Exe = python
	}
	if got.Linked["pastedeploy"] == "" || got.Linked["paste"] == "" {
		return p, nil
	}
	// Installed, but perhaps not in a form the seal can link, such as an
	// editable install: then this python3 has no Paste Deploy to use.
	check := exec.CommandContext(ctx, p.Exe, "-I", "-S", "-c",
		"import sys; sys.path.insert(0, sys.argv[1]); import paste.deploy.loadwsgi, paste.urlmap", site)
	if out, err := check.CombinedOutput(); err != nil {
		p.unsealable = fmt.Sprintf("Paste Deploy %s is installed for %s, but a sealed run cannot import it from links "+
			"to its files (%v: %s)", got.Linked["pastedeploy"], p.Exe, err, lastLine(out))
		return p, nil
	}
	p.Paste = got.Linked["pastedeploy"]
	return p, nil
}

// LetIn returns a copy of p whose seal, a second one laid out in dir,
// also lets in the distributions named in extra and what they require
// (and a top-level module of one file that no distribution owns, such as
// Debian's _cffi_backend, by its name), found for the same python3 in
// the environment Find looked in. It is the one place the seal lets the
// real OpenStack packages in, on purpose: the parity test
// (internal/parity) serves step 04's config with the real
// oslo.middleware and eventlet, to hold step 04's twins to them. Every
// other run keeps p's seal. Imports tells whether the packages import
// from it.
func (p *Python) LetIn(dir string, extra ...string) (*Python, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("laying out a seal with %s: %w", strings.Join(extra, ", "), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Exe, append([]string{"-c", sealPy, dir}, append(allowed, extra...)...)...)
	cmd.Env = p.env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: seal.py with %s failed: %v", p.Exe, strings.Join(extra, ", "), err)
	}
	var got struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		return nil, fmt.Errorf("%s: seal.py printed no JSON: %v", p.Exe, err)
	}
	if got.Error != "" {
		return nil, fmt.Errorf("%s: seal.py failed:\n%s", p.Exe, got.Error)
	}
	q := *p
	q.Site = dir
	return &q, nil
}

// importCheck imports each module named after the site, and prints one
// line for each that fails: the module, and the error's last line.
const importCheck = `import importlib, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except Exception as err:
        print("%s (%s: %s)" % (name, type(err).__name__, err))
`

// Imports returns nil where a sealed run imports every module named, and
// otherwise an error naming those it cannot import, and why.
func (p *Python) Imports(modules ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), probeLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Exe, append([]string{"-I", "-S", "-c", importCheck, p.Site}, modules...)...)
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		return fmt.Errorf("%s, sealed, did not run to the end importing %s: %v: %s", p.Exe, strings.Join(modules, ", "), err, lastLine(out))
	case len(out) > 0:
		return fmt.Errorf("%s, sealed, cannot import %s", p.Exe, strings.Join(strings.Split(strings.TrimSpace(string(out)), "\n"), ", "))
	}
	return nil
}

// PasteMissing says, where the seal has no Paste Deploy and Paste's
// urlmap, that this python3 lacks them and how to install them; "" where
// it has them.
func (p *Python) PasteMissing() string {
	switch {
	case p.Paste != "":
		return ""
	case p.unsealable != "":
		return p.unsealable
	}
	return fmt.Sprintf("Paste Deploy is not installed for %s: install Debian's python3-pastedeploy "+
		"(apt-get install python3-pastedeploy), or pip install PasteDeploy for that python3", p.Exe)
}

// lastLine is the last line of out: a Python traceback's error.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// atLeast39 reports whether version, as 3.11.2, is 3.9 or later.
func atLeast39(version string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 3 || major == 3 && minor >= 9
}

// sealed is the start of every sealed command line: the script and its
// arguments follow.
func (p *Python) sealed() []string {
	return []string{p.Exe, "-I", "-S", "-c", boot, p.Site}
}

// Command returns a command that runs script, with args, sealed, in this
// process's environment with PythonPath; ctx bounds it.
func (p *Python) Command(ctx context.Context, script string, args ...string) *exec.Cmd {
	a := append(append(p.sealed(), script), args...)
	cmd := exec.CommandContext(ctx, a[0], a[1:]...)
	cmd.WaitDelay = time.Second // once ctx is done, a child left holding its output cannot hold Wait
	if p.PythonPath != "" {
		cmd.Env = append(os.Environ(), "PYTHONPATH="+p.PythonPath)
	}
	return cmd
}

// Wrapper returns a shell script that runs args, then its own arguments,
// sealed, by exec so that signals reach python itself: Wrapper(twin)
// runs the twin, and Wrapper() is a python3 whose first argument is the
// script.
func (p *Python) Wrapper(args ...string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\nexec")
	for _, arg := range append(p.sealed(), args...) {
		b.WriteString(" " + ShellQuote(arg))
	}
	b.WriteString(` "$@"` + "\n")
	return b.String()
}

// ShellQuote quotes s for sh.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
