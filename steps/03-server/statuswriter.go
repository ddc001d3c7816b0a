package main

import (
	"io"
	"net/http"
)

// statusWriter is a ResponseWriter that remembers the status and counts
// the body's bytes, so middleware can see the response it passes on, as
// webob's Response lets WSGI middleware do.
type statusWriter struct {
	http.ResponseWriter
	status int   // 0 until the header is written
	bytes  int64 // body bytes written
}

func (w *statusWriter) WriteHeader(code int) {
	// A 1xx (say, 103 Early Hints) is not the final status; 101 is.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK // what net/http sends on the first Write
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// WriteString is Write for a string. io.WriteString looks for it: without
// it, a string written through the wrapper is copied into a new []byte.
func (w *statusWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.WriteString(w.ResponseWriter, s)
	w.bytes += int64(n)
	return n, err
}

// Unwrap gives http.ResponseController the writer underneath, so Flush,
// deadlines and Hijack still work through the wrapper.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// statusOrOK is the status the client got: a handler that wrote nothing
// at all sent 200.
func (w *statusWriter) statusOrOK() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
