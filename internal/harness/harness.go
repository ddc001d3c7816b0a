// Package harness runs the tutorial's programs as a learner runs them: it
// builds every step, runs the testscript scripts in testdata/ against the
// real binaries (and against the Python twins), checks TUTORIAL.md against
// the code it quotes, and checks the exercises. The repository's one root
// test file calls it; so does go run ./exercises.
//
// The checks that read the repository's files (scripts, markdown,
// exercises) run from its root, as go test . and go run ./exercises do;
// BuildSteps and the live-server helpers work from any folder inside it.
// Every wait is bounded, and everything listens on loopback only.
package harness

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// WaitLimit bounds every wait the harness makes: for a port, a process, a
// reply.
const WaitLimit = 10 * time.Second

// UpdateCommand rewrites the scripts' expected output, then the excerpts,
// transcripts and diffs in the markdown files, in that order.
const UpdateCommand = "go test . -update"

// Main runs m, after arranging that a script's curl runs this same
// program as the scripts' curl (see CurlMain), and exits' within
// (WithinMain), and removes what BuildSteps built, and the tests'
// python3's seal, once m is done. Call it from TestMain, or from a main
// function whose m runs the checks.
func Main(m testscript.TestingM) {
	testscript.Main(cleanupAfter{m}, map[string]func(){
		"curl":   CurlMain,
		"within": WithinMain,
	})
}

// cleanupAfter runs m, then removes the steps' binaries.
type cleanupAfter struct{ m testscript.TestingM }

func (c cleanupAfter) Run() int {
	moreParallel()
	code := c.m.Run()
	for _, dir := range []string{built.dir, sealed.dir, realStack.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	return code
}

// minParallel is how many tests a test binary runs at once, at least,
// unless -parallel says otherwise. The default, GOMAXPROCS, suits tests
// that compute; these wait on servers and on the programs they start most
// of the time, and on two cores the default left the CPUs half idle.
const minParallel = 4

// moreParallel raises a test binary's -test.parallel to minParallel, if it
// is lower and was not given on the command line. Anything else than a
// test binary has no such flag, and is left alone.
func moreParallel() {
	f := flag.Lookup("test.parallel")
	if f == nil {
		return
	}
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(v *flag.Flag) { given = given || v.Name == "test.parallel" })
	if n, err := strconv.Atoi(f.Value.String()); err == nil && !given && n < minParallel {
		f.Value.Set(strconv.Itoa(minParallel))
	}
}

// root is the repository's root folder, found once.
var root struct {
	once sync.Once
	dir  string
	err  error
}

// Root returns the repository's root: the nearest folder, from the current
// one up, whose go.mod declares this module.
func Root() (string, error) {
	root.once.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			root.err = err
			return
		}
		for {
			mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && strings.HasPrefix(string(mod), "module wsgi-to-go\n") {
				root.dir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				root.err = errors.New("not inside the wsgi-to-go repository: no go.mod with module wsgi-to-go above the current folder")
				return
			}
			dir = parent
		}
	})
	return root.dir, root.err
}
