package twins

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/probe"
)

// RecordCommand records step 04's conformance corpus again, with Paste
// Deploy itself.
const RecordCommand = "go test . -run TestPasteDeployRecordings -update"

// recordLimit bounds one run of the recorder over the whole corpus, which
// takes a second or two.
const recordLimit = time.Minute

// CheckPasteDeployRecordings records every case of the conformance corpus
// in dir again with the real Paste Deploy, running its recorder,
// paste_tree.py, sealed (internal/python), and fails where a recording
// differs: the recordings cannot go stale, nor hold what else this
// machine has installed. With update, it writes them instead. Where the
// tests' python3 has no Paste Deploy, it skips, and says so.
func CheckPasteDeployRecordings(t *testing.T, dir string, update bool) {
	recorder := filepath.Join(dir, "paste_tree.py")
	// What the recorder and step 04's test tell a maintainer to run is this.
	for _, file := range []string{recorder, filepath.Join(dir, "..", "..", "conformance_test.go")} {
		if data, err := os.ReadFile(file); err != nil || !bytes.Contains(data, []byte(RecordCommand)) {
			t.Errorf("%s does not give the command that records the corpus, %s (%v)", file, RecordCommand, err)
		}
	}
	py, why := probe.Python(t)
	if py != nil {
		why = py.PasteMissing()
	}
	if why != "" {
		t.Skipf("%s: the recordings were not compared with Paste Deploy itself", why)
	}
	cases, err := filepath.Glob(filepath.Join(dir, "*.ini"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in %s (%v)", dir, err)
	}
	record := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), recordLimit)
		defer cancel()
		cmd := py.Command(ctx, recorder, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", py.Exe, recorder, err, stderr.Bytes())
		}
		return out
	}
	if update {
		record(append([]string{"--write"}, cases...)...)
	}
	var live map[string]any
	if err := json.Unmarshal(record(cases...), &live); err != nil {
		t.Fatalf("%s %s wrote no JSON: %v", py.Exe, recorder, err)
	}
	for _, path := range cases {
		golden := strings.TrimSuffix(path, ".ini") + ".json"
		var recorded any
		data, err := os.ReadFile(golden)
		if err == nil {
			err = json.Unmarshal(data, &recorded)
		}
		if err != nil {
			t.Errorf("%s: %v\nrecord it with: %s", golden, err, RecordCommand)
			continue
		}
		if got := live[filepath.Base(path)]; !reflect.DeepEqual(got, recorded) {
			t.Errorf("Paste Deploy %s resolves %s differently now than %s records:\n%s\nrecord it again with: %s",
				py.Paste, path, golden, diff.Diff(golden, indent(recorded), "Paste Deploy", indent(got)), RecordCommand)
		}
	}
}

// indent is v as indented JSON.
func indent(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}
