// Package probe finds what this machine can run the checks with: the
// tests' python3, sealed (internal/python), the real OpenStack stack for
// the parity test, a Unix shell, the race detector. It says why a check
// is skipped where something is missing, once, for the check and for
// Skips, which go test -run TestSkips -v . prints.
package probe

import (
	"os"
	"os/exec"
	"runtime"
	"testing"

	"wsgi-to-go/internal/proc"
)

// Why a check does not run on some systems, said once, for the check and
// for Skips.
const (
	NoSealOnWindows = "the tests' python3 runs sealed, through links and shell wrappers: not on Windows"
	NoUnixShell     = "the walk runs the page's commands in a Unix shell, with process groups: not on this system"
	// RaceMemory is why a leak check of a server's memory is left out
	// under -race.
	RaceMemory = "under -race, a server's resident memory holds the race detector's own, which grows as it runs"
)

// UnixShell is whether this system has a Unix shell and process groups,
// which TUTORIAL.md's commands need.
const UnixShell = runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOOS != "js" && runtime.GOOS != "wasip1"

// Skips lists, for this machine, every check of go test ./... that is
// skipped, or does less than it can, and why, from the probes and the
// reasons the checks themselves use. With nothing skipped, it says what
// it found.
func Skips(t *testing.T) []string {
	var skips []string
	skip := func(check, what, why string) { skips = append(skips, check+": "+what+": "+why) }
	py, noPython := Python(t)
	switch {
	case runtime.GOOS == "windows":
		skip("TestTwins, TestPasteDeployRecordings", "skipped", NoSealOnWindows)
		skip("TestTutorial", "the Python excerpts in the markdown files were left as they are, unchecked", NoSealOnWindows)
	case py == nil:
		skip("TestTwins", "the Python twins were not run", noPython)
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", noPython)
		skip("TestWalkTutorial", "TUTORIAL.md's python3 commands were not run", noPython)
		skip("TestTutorial", "the Python excerpts in the markdown files were left as they are, unchecked", noPython)
	case py.Paste == "":
		skip("TestTwins", "step 04's scripts were not run against its twin", py.PasteMissing())
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", py.PasteMissing())
		skip("TestWalkTutorial", "TUTORIAL.md's python3 python/04-pipeline.py commands were not run", py.PasteMissing())
	}
	if real, why := RealStack(t); real == nil {
		skip("TestParity (internal/parity)", "skipped: step 04 was not compared with the real oslo.middleware", why)
	}
	if !UnixShell {
		skip("TestWalkTutorial", "skipped", NoUnixShell)
	}
	if _, err := exec.LookPath("git"); err != nil {
		skip("TestCopyProgramSkipsWhatGitIgnores (internal/proc)", "skipped", "no git on PATH")
	}
	if ok, why := Race(); !ok {
		skip("TestExercises (exercises), go run ./exercises check", "the checks that ask for -race build without it", why)
	}
	if os.Getenv("TUTORIAL_CURL") == "real" {
		if _, err := exec.LookPath("curl"); err != nil {
			skip("TestScripts, TestTwins", "every curl fails", "TUTORIAL_CURL=real, and no curl on PATH")
		}
	}
	if proc.RaceBuilt() {
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
