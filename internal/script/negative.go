package script

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
)

// sharedMarker, as a line in a script, says the script checks behaviour a
// step shares with the one before it on purpose, so the negative check
// skips it.
const sharedMarker = "# shared with the previous step"

// CheckScriptsFailOnPreviousStep runs each step's scripts in testdata/
// against the previous step's program, under the new step's name. Each
// must fail: a script that passes there does not prove what its chapter
// adds.
func CheckScriptsFailOnPreviousStep(t *testing.T) {
	binDir, steps := proc.Steps(t)
	for i := 1; i < len(steps); i++ {
		prev, step := steps[i-1], steps[i]
		scripts, err := filepath.Glob(filepath.Join("testdata", step+"*.txtar"))
		if err != nil || len(scripts) == 0 {
			t.Errorf("no scripts for step %s in testdata/ (%v)", step, err)
			continue
		}
		// A folder where the new step's name runs the previous program.
		impostor := t.TempDir()
		exe := ""
		if runtime.GOOS == "windows" {
			exe = ".exe"
		}
		data, err := os.ReadFile(filepath.Join(binDir, prev+exe))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(impostor, step+exe), data, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, script := range scripts {
			src, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), "\n"+sharedMarker) {
				t.Logf("%s: skipped, marked %q", script, sharedMarker)
				continue
			}
			if !Fails(t, script, binDir, impostor) {
				t.Errorf("%s passes against step %s's program: it does not prove what step %s adds.\n"+
					"Make it check something new, or mark it %q.", script, prev, step, sharedMarker)
			}
		}
	}
}
