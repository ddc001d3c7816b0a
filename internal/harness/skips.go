package harness

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"testing"

	"wsgi-to-go/internal/python"
)

// Skips lists, for this machine, every check of go test ./... that is
// skipped, or does less than it can, and why: the same probes the checks
// themselves make. With nothing skipped, it says what it found.
func Skips(t *testing.T) []string {
	var skips []string
	skip := func(check, what, why string) { skips = append(skips, check+": "+what+": "+why) }
	if runtime.GOOS == "windows" {
		skip("TestTwins", "skipped", "the Python twins run through a shell wrapper, so not on Windows")
		skip("TestWalkTutorial", "skipped", "the walk runs the page's commands in a Unix shell, so not on Windows")
	}
	py, err := python.WithDecoys(t.TempDir())
	switch {
	case err != nil && !errors.Is(err, python.ErrNoPython):
		t.Fatal(err)
	case err != nil:
		why := err.Error() + ": install python3 (3.9 or later) to run them"
		skip("TestTwins", "the Python twins were not run", why)
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", why)
		skip("TestWalkTutorial", "TUTORIAL.md's python3 commands were not run", why)
	case py.Paste == "":
		why := py.PasteMissing()
		skip("TestTwins", "step 04's scripts were not run against its twin", why)
		skip("TestPasteDeployRecordings", "skipped: the conformance corpus was not recorded again with Paste Deploy", why)
		skip("TestWalkTutorial", "TUTORIAL.md's python3 python/04-pipeline.py commands were not run", why)
	}
	if _, err := exec.LookPath("git"); err != nil {
		skip("TestCopyProgramSkipsWhatGitIgnores (internal/harness)", "skipped", "no git on PATH")
	}
	if os.Getenv("TUTORIAL_CURL") == "real" {
		if _, err := exec.LookPath("curl"); err != nil {
			skip("TestScripts, TestTwins", "every curl fails", "TUTORIAL_CURL=real, and no curl on PATH")
		}
	}
	if slices.Contains(buildFlags, "-race") {
		skip("TestPipelineAllocs (steps/04-pipeline)", "skipped", "under -race, sync.Pool drops what it is given at random")
	}
	if len(skips) == 0 {
		skips = append(skips, "nothing is skipped here: python3 is "+py.Exe+" "+py.Version+
			", sealed with Paste Deploy "+py.Paste)
	}
	return skips
}
