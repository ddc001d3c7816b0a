package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// defaultMaxBodySize is oslo.middleware's default max_request_body_size.
const defaultMaxBodySize = 114688

// readOnTime and readOnBytes bound what sizeLimit reads of a body it
// refused: long enough for a client that sends a whole 8 MiB upload
// before it reads, as curl and Python's requests do, and short enough
// that a client sending on and on holds the server for little.
const (
	readOnTime  = 5 * time.Second
	readOnBytes = 64 << 20
)

// sizeLimit refuses request bodies over max bytes: the Go twin of
// oslo.middleware's RequestBodySizeLimiter. A declared length over max
// gets a 413 before the app runs; a chunked body is cut at max bytes
// while the app reads it, and the app answers 413; readOn reads the rest.
func sizeLimit(max int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				tooLarge(w, r, max) // short-circuit: the app never sees it
				if r.Header.Get("Expect") == "" {
					readOn(w, r, r.Body) // with Expect, the client sends nothing yet
				}
				return
			}
			if r.Body == http.NoBody { // a GET, say, has nothing to limit
				next.ServeHTTP(w, r)
				return
			}
			raw := r.Body
			body := &cutBody{ReadCloser: http.MaxBytesReader(w, raw, max)}
			r.Body = body
			next.ServeHTTP(w, r)
			if body.cut { // the app's read was cut: the client sends on
				readOn(w, r, raw)
			}
		})
	}
}

// cutBody is a request body that remembers whether MaxBytesReader cut it.
type cutBody struct {
	io.ReadCloser
	cut bool
}

func (b *cutBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if _, ok := err.(*http.MaxBytesError); ok { // MaxBytesReader's own, unwrapped
		b.cut = true
	}
	return n, err
}

// readOn sends the 413 and then reads and throws away what the client
// still sends of the body, within readOnTime and readOnBytes, as nginx's
// lingering close does: net/http closes the connection after a 413 when
// much of the body is unread, and closing with data unread makes the
// kernel send a reset, which can destroy the 413 before the client has
// read it. HTTP/2 resets the stream alone, so there is nothing to read on.
func readOn(w http.ResponseWriter, r *http.Request, body io.Reader) {
	if r.ProtoMajor != 1 {
		return
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(readOnTime)) != nil {
		return // no connection under w (a test's recorder): nothing to read on
	}
	rc.Flush()
	io.CopyN(io.Discard, body, readOnBytes)
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
	w.Header().Set("Content-Length", strconv.Itoa(len(body))) // readOn flushes: not chunked
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	io.WriteString(w, body)
}
