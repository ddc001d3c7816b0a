package paste

import (
	"net/http"
)

// This file twins the factories loadwsgi.py calls: paste.app_factory,
// paste.filter_factory and paste.composite_factory.

// Factory builds one kind of piece from its options: the Go twin of a
// Paste Deploy factory. Kind says which of App, Filter or composite is set.
type Factory struct {
	Kind    Kind     // App, Filter or Composite
	Name    string   // egg:DIST#Name names it, and -print shows it
	Options []string // the options it reads; nil for a composite, whose keys are its own
	App     func(opts map[string]string) (http.Handler, error)
	Filter  func(opts map[string]string) (Middleware, error)
	// composite makes one app of the apps a urlmap's keys name.
	composite func(apps []mount, notFound http.Handler) (http.Handler, error)
}

// Middleware wraps a handler in another: what a filter factory makes,
// the Go twin of WSGI middleware.
type Middleware = func(next http.Handler) http.Handler

// optionError is a bad option value: the ValueError a Python factory raises.
type optionError struct{ key, msg string }

func (e *optionError) Error() string { return e.key + ": " + e.msg }

// BadOption returns a factory's error for a bad value of the option key,
// reported at that option's line: problem says what is wrong, and never
// quotes the value, which may be a secret or a line of another file.
func BadOption(key, problem string) error {
	return &optionError{key, problem}
}
