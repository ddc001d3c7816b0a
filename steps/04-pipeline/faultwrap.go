package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// faultWrap turns a panic anywhere inside it into a 500 with a small JSON
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
				writeFault(w, id)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// fault is the JSON body of a 500: what failed, never how.
type fault struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// writeFault answers 500 with a fault body, dropping any header the
// failed handler had set, but the request id.
func writeFault(w http.ResponseWriter, id string) {
	h := w.Header()
	for name := range h {
		if name != requestIDHeader {
			delete(h, name)
		}
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	json.NewEncoder(w).Encode(map[string]fault{"computeFault": {
		Code:      http.StatusInternalServerError,
		Message:   "The server has either erred or is incapable of performing the requested operation.",
		RequestID: id,
	}})
}
