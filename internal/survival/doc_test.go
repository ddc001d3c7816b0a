// Package survival puts the steps' real programs through what a server in
// production meets: load, shutdowns and reloads under it, panics, slow
// and oversized clients, hostile input and random requests. Each test
// starts a program on loopback with the harness, and bounds every wait.
package survival
