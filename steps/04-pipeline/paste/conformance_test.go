package paste

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The conformance corpus, testdata/conformance: configs of one behaviour
// each, and next to each the tree the real Paste Deploy resolves it into,
// recorded by paste_tree.py. docs/paste-deploy.md says how to add a case.

// conformanceDir holds the corpus.
const conformanceDir = "testdata/conformance"

// recordCommand records the corpus with Paste Deploy, from the
// repository's root.
const recordCommand = "go test . -run TestPasteDeployRecordings -update" // twins.RecordCommand

// recorded is a case as paste_tree.py records it: the tree, or the
// refusal.
type recorded struct {
	Name    string         `json:"name"`
	Tree    map[string]any `json:"tree"`
	Refused string         `json:"refused"`
}

// stepOwnKeys are the keys of -print -json that are step 04's, not Paste
// Deploy's: the comparison leaves them out.
var stepOwnKeys = []string{"where", "go_twin", "guessed_from_options", "ignored", "require"}

// TestConformance resolves every config of the corpus and compares the tree
// with the one Paste Deploy resolved. The root package's
// TestPasteDeployRecordings keeps the recordings true to Paste Deploy: it
// records them again, live, where Paste Deploy is installed.
func TestConformance(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join(conformanceDir, "*.ini"))
	if err != nil || len(cases) < 40 {
		t.Fatalf("want 40 cases or more in %s, found %d (%v)", conformanceDir, len(cases), err)
	}
	reg := testRegistry(t)
	matched := 0
	for _, path := range cases {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".ini"), func(t *testing.T) {
			golden := strings.TrimSuffix(path, ".ini") + ".json"
			data, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no recording: %v\nrecord it with: %s", err, recordCommand)
			}
			var want recorded
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("%s: %v", golden, err)
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := Load(abs, want.Name, reg)
			switch {
			case want.Refused != "" && err == nil:
				t.Fatalf("Paste Deploy refuses %s (%s), and step 04 resolves it", name, want.Refused)
			case want.Refused != "":
				if !regexp.MustCompile(`^` + regexp.QuoteMeta(abs) + `(:[0-9]+)?: `).MatchString(err.Error()) {
					t.Fatalf("the refusal is not FILE:LINE: what: %v", err)
				}
				matched++
				return
			case err != nil:
				t.Fatalf("Paste Deploy resolves %s, and step 04 refuses it: %v", name, err)
			}
			var got map[string]any
			var buf bytes.Buffer
			if err := writeJSON(&buf, tree, true); err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(buf.String(), filepath.Dir(abs), "<dir>")
			if err := json.Unmarshal([]byte(text), &got); err != nil {
				t.Fatal(err)
			}
			trim(got, want.Tree)
			canonicalEggs(got)
			canonicalEggs(want.Tree)
			if !reflect.DeepEqual(got, want.Tree) {
				t.Fatalf("step 04 resolves %s differently from Paste Deploy (- Paste, + step 04):\n%s", name, jsonDiff(want.Tree, got))
			}
			matched++
		})
	}
	t.Logf("%d of %d cases resolve as Paste Deploy resolves them", matched, len(cases))
}

// trim reduces got, a tree as -print -json writes it, to what paste, the
// tree Paste Deploy resolved, can be compared with: step 04's own keys go,
// and so does a urlmap's list of apps where paste has none, because Paste
// Deploy's stub of the factory loads no apps.
func trim(got, paste map[string]any) {
	if got == nil {
		return
	}
	for _, key := range stepOwnKeys {
		delete(got, key)
	}
	if _, ok := paste["urlmap"]; !ok {
		delete(got, "urlmap")
	}
	for _, key := range []string{"app", "next", "filter"} {
		trim(asMap(got[key]), asMap(paste[key]))
	}
	for i, f := range asList(got["filters"]) {
		trim(asMap(f), asMap(item(paste["filters"], i)))
	}
	if urlmap, pasteURLMap := asMap(got["urlmap"]), asMap(paste["urlmap"]); urlmap != nil {
		trim(asMap(urlmap["not_found_app"]), asMap(pasteURLMap["not_found_app"]))
		for i, app := range asList(urlmap["apps"]) {
			trim(asMap(asMap(app)["app"]), asMap(asMap(item(pasteURLMap["apps"], i))["app"]))
		}
	}
}

// canonicalEggs spells every egg: factory in tree as the registry keys
// it, for importlib.metadata finds egg:Oslo_Middleware as
// oslo.middleware.
func canonicalEggs(tree any) {
	switch v := tree.(type) {
	case map[string]any:
		if f, ok := v["factory"].(string); ok {
			v["factory"] = canonicalRef(f)
		}
		for key, child := range v {
			if key != "local_conf" && key != "global_conf" {
				canonicalEggs(child)
			}
		}
	case []any:
		for _, child := range v {
			canonicalEggs(child)
		}
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// item is the list's i-th item, or nil.
func item(list any, i int) any {
	if l := asList(list); i < len(l) {
		return l[i]
	}
	return nil
}

// jsonDiff shows where two JSON values differ: the lines between their
// common beginning and their common end, each side's, with a line of
// context before.
func jsonDiff(want, got any) string {
	text := func(v any) []string {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		e.SetIndent("", "  ")
		e.Encode(v)
		return strings.Split(b.String(), "\n")
	}
	w, g := text(want), text(got)
	start := 0
	for start < len(w) && start < len(g) && w[start] == g[start] {
		start++
	}
	end := 0
	for end < len(w)-start && end < len(g)-start && w[len(w)-1-end] == g[len(g)-1-end] {
		end++
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("  " + w[start-1] + "\n")
	}
	for _, line := range w[start : len(w)-end] {
		b.WriteString("- " + line + "\n")
	}
	for _, line := range g[start : len(g)-end] {
		b.WriteString("+ " + line + "\n")
	}
	return b.String()
}
