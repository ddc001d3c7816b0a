//go:build race

package tutorial

// Under go test -race, the steps are built with the race detector too, so
// the scripts check the servers for data races as well as the tests.
func init() { buildFlags = append(buildFlags, "-race") }
