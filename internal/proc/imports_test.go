package proc

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

func TestIsInside(t *testing.T) {
	for path, want := range map[string]bool{
		"wsgi-to-go/steps/04-pipeline/paste": true,
		"wsgi-to-go/steps/04-pipeline":       false,
		"wsgi-to-go/steps/03-server/x":       false,
		"wsgi-to-go/steps/04-pipelinex/y":    false,
		"wsgi-to-go/internal/python":         false,
	} {
		if got := isInside(path, "04-pipeline"); got != want {
			t.Errorf("isInside(%q, 04-pipeline) = %v, want %v", path, got, want)
		}
	}
}
