package main

import (
	"fmt"
	"net/http"
)

// factory builds one kind of piece from its options: the Go twin of a
// Paste Deploy factory (paste.app_factory, paste.filter_factory,
// paste.composite_factory). Exactly one of app, filter or composite is set,
// as kind says.
type factory struct {
	kind    string   // "app", "filter" or "composite"
	name    string   // its name: egg:tutorial#name names it, and -print shows it
	options []string // the options it reads; nil for a composite, whose keys are its own
	app     func(opts map[string]string) (http.Handler, error)
	filter  func(opts map[string]string) (middleware, error)
	// composite makes one app of the apps its options name. The resolve
	// stage reads those options as Paste's urlmap_factory does: every key
	// names an app, and not_found_app the app for paths nothing matches.
	composite func(apps []mount, notFound http.Handler) (http.Handler, error)
}

// optionError is a bad option value, reported at the option's line: the
// Go twin of the ValueError a Python factory raises.
type optionError struct {
	key, msg string
}

func (e *optionError) Error() string { return e.key + ": " + e.msg }

// badOption returns an optionError for key. A factory must not put the
// value of a secret option in msg: errors are printed.
func badOption(key, format string, args ...any) error {
	return &optionError{key, fmt.Sprintf(format, args...)}
}
