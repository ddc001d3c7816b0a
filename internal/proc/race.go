//go:build race

package proc

// When the harness runs under the race detector (go test -race), it builds
// the steps with it too, so the scripts check the servers for data races
// as well as the tests.
func init() { buildFlags = append(buildFlags, "-race") }
