package main

import (
	"io"
	"net/http"
)

// healthcheck answers requests for path with 200 OK, without calling the
// app, and passes every other request on: the Go twin of
// oslo.middleware's Healthcheck, which load balancers poll.
func healthcheck(path string) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "OK\n")
		})
	}
}

// healthcheckApp answers every request with 200 OK: the Go twin of
// oslo.middleware's Healthcheck as an app (its app_factory), which a
// urlmap mounts at /healthcheck, so the path is the urlmap's to match.
func healthcheckApp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "OK\n")
}
