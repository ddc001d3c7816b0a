package harness

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"

	"wsgi-to-go/internal/python"
)

// Why a check does not run on some systems, said once, for the check and
// for Skips.
const (
	noSealOnWindows = "the tests' python3 runs sealed, through links and shell wrappers: not on Windows"
	noUnixShell     = "the walk runs the page's commands in a Unix shell, with process groups: not on this system"
	// RaceMemory is why a leak check of a server's memory is left out
	// under -race.
	RaceMemory = "under -race, a server's resident memory holds the race detector's own, which grows as it runs"
)

// sealed is the tests' python3, found once per process.
var sealed struct {
	once sync.Once
	dir  string // its seal and the decoys, removed at the end (see Main)
	py   *python.Python
	err  error
}

// testPython returns the tests' python3 (internal/python), sealed, beside
// the decoys, found once per process; or nil, and why there is none to
// use. A fault of the seal's own fails t.
func testPython(t *testing.T) (*python.Python, string) {
	sealed.once.Do(func() {
		if sealed.dir, sealed.err = os.MkdirTemp("", "tutorial-python-"); sealed.err == nil {
			sealed.py, sealed.err = python.WithDecoys(sealed.dir)
		}
	})
	if errors.Is(sealed.err, python.ErrNoPython) {
		return nil, sealed.err.Error() + ": install python3 (3.9 or later)"
	}
	if sealed.err != nil {
		t.Fatal(sealed.err)
	}
	return sealed.py, ""
}

// Skips lists, for this machine, every check of go test ./... that is
// skipped, or does less than it can, and why, from the probes and the
// reasons the checks themselves use. With nothing skipped, it says what
// it found.
func Skips(t *testing.T) []string {
	var skips []string
	skip := func(check, what, why string) { skips = append(skips, check+": "+what+": "+why) }
	py, noPython := testPython(t)
	switch {
	case runtime.GOOS == "windows":
		skip("TestTwins, TestPasteDeployRecordings", "skipped", noSealOnWindows)
	case py == nil:
		skip("TestTwins", "the Python twins were not run", noPython)
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", noPython)
		skip("TestWalkTutorial", "TUTORIAL.md's python3 commands were not run", noPython)
	case py.Paste == "":
		skip("TestTwins", "step 04's scripts were not run against its twin", py.PasteMissing())
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", py.PasteMissing())
		skip("TestWalkTutorial", "TUTORIAL.md's python3 python/04-pipeline.py commands were not run", py.PasteMissing())
	}
	if real, why := RealStack(t); real == nil {
		skip("TestParity (internal/parity)", "skipped: step 04 was not compared with the real oslo.middleware", why)
	}
	if !walks {
		skip("TestWalkTutorial", "skipped", noUnixShell)
	}
	if _, err := exec.LookPath("git"); err != nil {
		skip("TestCopyProgramSkipsWhatGitIgnores (internal/harness)", "skipped", "no git on PATH")
	}
	if ok, why := raceAvailable(); !ok {
		skip("TestExercises (exercises), go run ./exercises check", "the checks that ask for -race build without it", why)
	}
	if os.Getenv("TUTORIAL_CURL") == "real" {
		if _, err := exec.LookPath("curl"); err != nil {
			skip("TestScripts, TestTwins", "every curl fails", "TUTORIAL_CURL=real, and no curl on PATH")
		}
	}
	if RaceBuilt() {
		skip("TestPipelineAllocs (steps/04-pipeline)", "skipped", "under -race, sync.Pool drops what it is given at random")
		skip("TestSIGHUPStormUnderLoad (internal/survival)", "its memory check is left out", RaceMemory)
	}
	if len(skips) == 0 {
		skips = append(skips, "nothing is skipped here: python3 is "+py.Exe+" "+py.Version+
			", sealed with Paste Deploy "+py.Paste+"; the parity test's seal lets in oslo.middleware and eventlet too")
	}
	if py != nil && py.Passed != "" {
		skips = append(skips, "the python3 on PATH, "+py.Passed+", lacks Paste Deploy: the tests use "+py.Exe+
			" instead. Run step 04's twin with it ("+py.Exe+" python/04-pipeline.py), or pip install PasteDeploy for "+py.Passed)
	}
	return skips
}
