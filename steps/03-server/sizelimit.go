package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
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
				tooLarge(w, r, max) // short-circuit: the app never sees it
				return
			}
			if r.Body != http.NoBody { // a GET, say, has nothing to limit
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// tooLarge answers 413 as oslo.middleware does, through webob's
// HTTPRequestEntityTooLarge: oslo's words for a declared length (for a
// chunked body it says "Larger than N."), in HTML, JSON or plain text, as
// the request's Accept prefers (curl's */* gets HTML, no Accept plain).
func tooLarge(w http.ResponseWriter, r *http.Request, max int64) {
	explanation := fmt.Sprintf("Request is too large. Larger than max_request_body_size (%d).", max)
	var contentType, body string
	switch bestOffer(strings.Join(r.Header.Values("Accept"), ","), "text/html", "application/json") {
	case "text/html":
		contentType = "text/html; charset=UTF-8"
		body = "<html>\n <head>\n  <title>413 Request Entity Too Large</title>\n </head>\n <body>\n" +
			"  <h1>413 Request Entity Too Large</h1>\n  " + explanation + "<br /><br />\n\n\n\n </body>\n</html>"
	case "application/json": // webob's markup and all
		contentType = "application/json"
		body = `{"message": "` + explanation + `<br /><br />\n\n\n", ` +
			`"code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`
	default:
		contentType = "text/plain; charset=UTF-8"
		body = "413 Request Entity Too Large\n\n" + explanation + "\n\n   "
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	io.WriteString(w, body)
}
