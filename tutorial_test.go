// The tutorial's tests: each runs one of the harness's checks on the
// whole repository. The harness is one package per job: internal/proc
// (build the steps, start and stop them), internal/script (the scripts and
// their commands), internal/page (the markdown: markers, links, TUTORIAL.md
// executed), internal/exercise, internal/twins (the Python side) and
// internal/probe (what this machine can run). testdata/README.md lists
// what the scripts can use.
//
//	go test ./...                        every check, and every step's own tests
//	go test -run TestScripts/01-app      one step's scripts
//	go test . -update                    rewrite expected output, then TUTORIAL.md
//	go test -run TestSkips -v .          what go test ./... skips here, and why
//	TUTORIAL_CURL=real go test ./...     the same scripts with the system curl
package tutorial

import (
	"flag"
	"testing"

	"wsgi-to-go/internal/page"
	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/script"
	"wsgi-to-go/internal/twins"
)

var update = flag.Bool("update", false, "rewrite expected output in testdata/*.txtar, then the blocks TUTORIAL.md generates, "+
	"and step 04's conformance recordings")

// TestMain lets a script's curl run this test binary as the scripts' curl, and
// the walk's terminal (page.Programs) as its terminal.
func TestMain(m *testing.M) { script.Main(m, page.Programs()) }

// TestScripts runs every script in testdata/ against the steps' programs.
// With -update it runs first, before TestTutorial quotes what it wrote.
func TestScripts(t *testing.T) {
	if !*update {
		t.Parallel()
	}
	script.RunScripts(t, "testdata", *update)
}

// TestScriptsFailOnPreviousStep proves that each step's scripts check what
// the step adds: against the previous step's program, each must fail.
func TestScriptsFailOnPreviousStep(t *testing.T) {
	t.Parallel()
	script.CheckScriptsFailOnPreviousStep(t)
}

// TestTwins runs the same scripts against the Python twins.
func TestTwins(t *testing.T) {
	t.Parallel()
	twins.RunTwins(t, "testdata")
}

// TestPasteDeployRecordings records step 04's conformance corpus again
// with the real Paste Deploy, sealed, and fails where a recording differs;
// with -update it writes them.
func TestPasteDeployRecordings(t *testing.T) {
	t.Parallel()
	twins.CheckPasteDeployRecordings(t, "steps/04-pipeline/paste/testdata/conformance", *update)
}

// TestTutorial checks that every excerpt, transcript and diff in the
// markdown files is what its source makes now.
func TestTutorial(t *testing.T) {
	if !*update {
		t.Parallel() // its Python excerpts start the sealed python3
	}
	page.CheckMarkers(t, *update, "TUTORIAL.md", "README.md", "docs/step-diffs.md", "docs/paste-deploy.md")
}

// TestWalkTutorial runs TUTORIAL.md's console blocks as a learner runs
// them, on a fresh clone, and checks that each command prints what the
// page shows. With -update it runs after TestTutorial, and rewrites what
// the blocks no marker generates show.
func TestWalkTutorial(t *testing.T) {
	if !*update {
		t.Parallel()
	}
	page.Walk{Page: "TUTORIAL.md", Source: ".", Update: *update}.Run(t)
}

// TestTutorialLength keeps TUTORIAL.md readable in one or two sittings.
func TestTutorialLength(t *testing.T) {
	page.CheckLength(t, "TUTORIAL.md", 1400)
}

// TestMarkdownLinks checks every relative link and #anchor in the
// repository's markdown files.
func TestMarkdownLinks(t *testing.T) {
	page.CheckLinks(t)
}

// TestREADMECommands runs the README's run command and checks its test
// command.
func TestREADMECommands(t *testing.T) {
	t.Parallel()
	page.CheckREADME(t)
}

// TestStepsImportStandardLibraryOnly keeps every step a self-contained
// program on the standard library alone.
func TestStepsImportStandardLibraryOnly(t *testing.T) {
	proc.CheckStepImports(t)
}

// TestSkips lists every check go test ./... skips on this machine, or
// runs with less than it could, and why: go test -run TestSkips -v .
// It fails where the probes themselves fail, as a broken seal would.
func TestSkips(t *testing.T) {
	t.Parallel() // its probes start python3s: they run beside the other tests
	for _, skip := range probe.Skips(t) {
		t.Log(skip)
	}
}
