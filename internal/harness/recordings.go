package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"wsgi-to-go/internal/python"
)

// RecordCommand records step 04's conformance corpus again, with Paste
// Deploy itself.
const RecordCommand = "go test . -run TestPasteDeployRecordings -update"

// CheckPasteDeployRecordings records every case of the conformance corpus
// in dir again with the real Paste Deploy, running its recorder,
// paste_tree.py, sealed (internal/python), and fails where a recording
// differs: the recordings cannot go stale, nor hold what else this
// machine has installed. With update, it writes them instead. Where the
// tests' python3 has no Paste Deploy, it skips, and says so.
func CheckPasteDeployRecordings(t *testing.T, dir string, update bool) {
	py, err := python.WithDecoys(t.TempDir())
	if err != nil && !errors.Is(err, python.ErrNoPython) {
		t.Fatal(err)
	}
	if err == nil && py.Paste == "" {
		err = errors.New(py.PasteMissing())
	}
	if err != nil {
		t.Skipf("%v: the recordings were not compared with Paste Deploy itself", err)
	}
	cases, err := filepath.Glob(filepath.Join(dir, "*.ini"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in %s (%v)", dir, err)
	}
	recorder := filepath.Join(dir, "paste_tree.py")
	record := func(args ...string) []byte {
		cmd := py.Command(recorder, args...)
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
