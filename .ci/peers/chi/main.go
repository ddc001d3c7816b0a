// Command chipeer is step 04's pipeline written with chi v5, the way a Go
// service would usually write it: chi's RequestID, Recoverer and
// Heartbeat, net/http's MaxBytesHandler, and a slog access line per
// request. .ci/loadcheck measures step 04 against it. It is a module of
// its own, so the tutorial's module stays on the standard library.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

const greeting = " From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"

// accessLog writes step 04's access line with slog, through chi's
// response writer wrapper, and sends the request id as step 04 does.
func accessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := middleware.GetReqID(r.Context())
			w.Header().Set("X-Openstack-Request-Id", id)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", id),
			)
		})
	}
}

func main() {
	addr := flag.String("addr", "localhost:8080", "listen on `host:port`")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	r := chi.NewRouter()
	r.Use(middleware.RequestID, accessLog(logger), middleware.Recoverer,
		middleware.Heartbeat("/healthcheck"),
		func(next http.Handler) http.Handler { return http.MaxBytesHandler(next, 114688) })
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, greeting)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintln(os.Stderr, srv.Serve(ln))
	os.Exit(1)
}
