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
			end := time.Now()
			ctx := r.Context()
			if !logger.Enabled(ctx, slog.LevelInfo) {
				return
			}
			// The record goes straight to the logger's handler, as slog's
			// docs show for a logging helper. logger.LogAttrs would write the
			// same line, but first look up its caller (runtime.Callers) for
			// a source the line never shows: pc 0 here means no source.
			rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			rec.AddAttrs(
				slog.String("method", r.Method),
				slog.String("path", requestPath(r)),
				slog.Int("status", sw.statusOrOK()),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", end.Sub(start)),
				slog.String("request_id", requestIDFrom(ctx)),
			)
			_ = logger.Handler().Handle(ctx, rec) // as Logger does: a failed log fails no request
		})
	}
}

// requestPath is the path the client asked for, as it sent it, without
// its query: the urlmap around this layer has stripped its prefix from
// r.URL.Path by now. An absolute-form target (http://host/path) gives its
// path alone, never the host or a user and password before it; a path
// that merely holds "://" (/v1/http://x) is kept whole.
func requestPath(r *http.Request) string {
	target, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.HasPrefix(target, "/") || target == "*" {
		return target
	}
	if _, rest, ok := strings.Cut(target, "://"); ok {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return "/"
		}
		target = rest[i:]
	}
	return target
}
