package paste

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// testRegistry is step 04's registry as testdata/registry.txt lists it,
// which step 04's TestRegistryFile keeps true: each factory a stand-in
// that reads the options the real one reads, and makes a handler that
// answers with its name.
func testRegistry(tb testing.TB) *Registry {
	tb.Helper()
	registryOnce.Do(func() {
		data, err := os.ReadFile("testdata/registry.txt")
		if err != nil {
			registryErr = err
			return
		}
		registry = NewRegistry("tutorial")
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			head, refs, _ := strings.Cut(line, ": ")
			fields := strings.Fields(head) // kind name (options)
			f := Factory{Kind: map[string]Kind{"app": App, "filter": Filter, "composite": Composite}[fields[0]], Name: fields[1]}
			if options := strings.Trim(strings.Join(fields[2:], " "), "()"); options != "any" {
				f.Options = strings.Fields(options)
				if f.Options == nil {
					f.Options = []string{}
				}
			}
			name := f.Name
			switch f.Kind {
			case App:
				f.App = func(map[string]string) (http.Handler, error) {
					return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(name)) }), nil
				}
			case Filter:
				f.Filter = func(map[string]string) (Middleware, error) {
					return func(h http.Handler) http.Handler { return h }, nil
				}
			case Composite:
				f = URLMap
			}
			for _, ref := range strings.Fields(refs) {
				registry.Add(f, ref)
			}
		}
	})
	if registryErr != nil {
		tb.Fatal(registryErr)
	}
	return registry
}

var (
	registryOnce sync.Once
	registry     *Registry
	registryErr  error
)

// TestAddRefusesAnotherComposite: the loader reads a composite's keys as a
// urlmap's, so a composite factory other than URLMap is refused when it is
// added, not met as a nil function when a config builds it.
func TestAddRefusesAnotherComposite(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add of a composite that is not URLMap did not panic")
		}
	}()
	NewRegistry("tutorial").Add(Factory{Kind: Composite, Name: "mine"})
}
