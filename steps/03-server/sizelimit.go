package main

import (
	"fmt"
	"net/http"
)

// defaultMaxBodySize is oslo.middleware's default max_request_body_size.
const defaultMaxBodySize = 114688

// sizeLimit refuses request bodies over max bytes: the Go twin of
// oslo.middleware's RequestBodySizeLimiter. A body that declares its
// length gets a 413 before the app runs; one that does not (chunked) is cut
// at max bytes while the app reads it, and the app answers 413.
func sizeLimit(max int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				tooLarge(w, max) // short-circuit: the app never sees it
				return
			}
			if r.Body != http.NoBody { // a GET, say, has nothing to limit
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// tooLarge answers 413, naming the limit.
func tooLarge(w http.ResponseWriter, max int64) {
	msg := fmt.Sprintf("413 request body larger than %d bytes", max)
	http.Error(w, msg, http.StatusRequestEntityTooLarge)
}
