package main

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// accessLog writes one line per request, after the response: the Go twin
// of oslo's request logging. Put it outside faultWrap, so the 500 that a
// panic becomes is logged too.
func accessLog(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			logger.Info("request",
				"method", r.Method,
				"path", requestPath(r),
				"status", sw.statusOrOK(),
				"bytes", sw.bytes,
				"duration", time.Since(start),
				"request_id", requestIDFrom(r.Context()),
			)
		})
	}
}

// requestPath is the path as the client sent it: a urlmap inside may have
// stripped a prefix from r.URL.Path since.
func requestPath(r *http.Request) string {
	path, _, _ := strings.Cut(r.RequestURI, "?")
	return path
}
