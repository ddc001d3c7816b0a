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
			// LogAttrs with typed attributes: no value is boxed in an any.
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", requestPath(r)),
				slog.Int("status", sw.statusOrOK()),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", requestIDFrom(r.Context())),
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
