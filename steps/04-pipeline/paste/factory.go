package paste

import (
	"fmt"
	"net/http"
)

// This file twins the factories loadwsgi.py calls: paste.app_factory,
// paste.filter_factory and paste.composite_factory.

// Factory builds one kind of piece from its options: the Go twin of a
// Paste Deploy factory (paste.app_factory, paste.filter_factory,
// paste.composite_factory). Exactly one of App, Filter or Composite is
// set, as Kind says.
type Factory struct {
	Kind    Kind     // App, Filter or Composite
	Name    string   // its name: egg:DIST#Name names it, and -print shows it
	Options []string // the options it reads; nil for a composite, whose keys are its own
	App     func(opts map[string]string) (http.Handler, error)
	Filter  func(opts map[string]string) (Middleware, error)
	// composite makes one app of the apps its options name. The resolve
	// stage reads those options as Paste's urlmap_factory does: every key
	// names an app, and not_found_app the app for paths nothing matches.
	composite func(apps []mount, notFound http.Handler) (http.Handler, error)
}

// Middleware wraps a handler in another: what a filter factory makes,
// the Go twin of WSGI middleware.
type Middleware = func(next http.Handler) http.Handler

// optionError is a bad option value, reported at the option's line: the
// Go twin of the ValueError a Python factory raises.
type optionError struct {
	key, msg string
}

func (e *optionError) Error() string { return e.key + ": " + e.msg }

// BadOption returns the error a factory gives for a bad value of the
// option key, which the loader reports at that option's line. A factory
// must not put the value of a secret option in the message: errors are
// printed.
func BadOption(key, format string, args ...any) error {
	return &optionError{key, fmt.Sprintf(format, args...)}
}
