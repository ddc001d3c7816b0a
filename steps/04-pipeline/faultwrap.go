package main

import (
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// faultWrap turns a panic anywhere inside it into a 500 with nova's JSON
// body, logged once with its stack: the Go twin of nova's FaultWrapper.
// The server goes on serving.
func faultWrap(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A statusWriter tells whether the response has started. When
			// accessLog, outside, has already wrapped w in one, use that.
			sw, ok := w.(*statusWriter)
			if !ok {
				sw = &statusWriter{ResponseWriter: w}
			}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v) // a deliberate abort: net/http ends the connection quietly
				}
				id := requestIDFrom(r.Context())
				logger.Error("panic", "request_id", id, "panic", v, "stack", string(debug.Stack()))
				if sw.status != 0 {
					// The status line is already on its way to the client, and
					// cannot become a 500 now. Abort the connection, so the
					// client sees a broken response rather than a short one.
					panic(http.ErrAbortHandler)
				}
				writeFault(w)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// faultBody is the body nova's FaultWrapper answers a 500 with, byte for
// byte: what failed, never how. The request id is in the header.
const faultBody = `{"computeFault": {"code": 500, "message": ` +
	`"The server has either erred or is incapable of performing the requested operation."}}`

// writeFault answers 500 with nova's fault body, dropping any header the
// failed handler had set, but the request ids.
func writeFault(w http.ResponseWriter) {
	h := w.Header()
	for name := range h {
		if name != requestIDHeader && name != computeRequestIDHeader {
			delete(h, name)
		}
	}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, faultBody)
}
