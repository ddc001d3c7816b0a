//go:build !unix

package page

import (
	"testing"

	"wsgi-to-go/internal/probe"
)

// Walk is one walk of a page (walk.go): it needs a Unix shell and process
// groups, as the page's commands do.
type Walk struct {
	Page, Source string
	Update       bool
}

// Run skips: the page's commands are a Unix shell's.
func (w Walk) Run(t *testing.T) { t.Skip(probe.NoUnixShell) }

// Programs returns the programs a page's script runs, for script.Main:
// none, as no page runs here.
func Programs() map[string]func() { return nil }
