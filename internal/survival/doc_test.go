// Package survival puts the steps' real programs through what a server in
// production meets: load, shutdowns and reloads under it, panics, slow
// and oversized clients, hostile input and random requests. Each test
// starts a program on loopback with the harness, and bounds every wait.
package survival

import (
	"testing"

	"wsgi-to-go/internal/script"
)

// TestMain runs the tests through the harness, which removes the steps'
// binaries it built once they are done.
func TestMain(m *testing.M) { script.Main(m) }
