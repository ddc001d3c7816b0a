package main

import "net/http"

// middleware wraps a handler in another: the Go twin of WSGI middleware,
// an app that calls the app it wraps.
type middleware func(next http.Handler) http.Handler

// chain wraps h in ms, the first listed outermost, as Paste Deploy orders a
// pipeline: chain(h, a, b) is a(b(h)), so a sees the request first and
// the response last.
func chain(h http.Handler, ms ...middleware) http.Handler {
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}
