package harness

import "testing"

func TestIsStandard(t *testing.T) {
	for path, want := range map[string]bool{
		"net/http":                        true,
		"log/slog":                        true,
		"github.com/rogpeppe/go-internal": false,
		"wsgi-to-go/steps/01-app":         false,
		"example.com/x":                   false,
	} {
		if got := isStandard(path); got != want {
			t.Errorf("isStandard(%q) = %v, want %v", path, got, want)
		}
	}
}
