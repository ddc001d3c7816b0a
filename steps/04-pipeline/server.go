package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// swappable serves the handler stored last. SIGHUP stores a new one; the
// requests already inside the old one finish there.
type swappable struct{ current atomic.Pointer[http.Handler] }

// ServeHTTP hands the request to the handler stored last.
func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.current.Load()).ServeHTTP(w, r)
}

// countInFlight counts in n the requests being handled, so a shutdown
// that runs out of time can say how many it cut.
func countInFlight(n *atomic.Int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			defer n.Add(-1)
			next.ServeHTTP(w, r)
		})
	}
}

// closeAmbiguousFraming makes net/http close the connection after every
// request whose body a proxy in front may have framed differently, so no
// second request can be smuggled inside it. RFC 9112 §6.1 says to close
// after a request with both Content-Length and Transfer-Encoding, and
// after an HTTP/1.0 request with Transfer-Encoding; net/http keeps such
// connections open, and drops the evidence before a handler runs
// (golang/go#80942, still in Go 1.26.8). So this closes after every
// chunked body, and every HTTP/1.0 request: a superset of what the RFC
// asks, costing keep-alive on those alone. In OpenStack, eventlet's
// wsgi.server reads the framing; a WSGI app never sees it.
func closeAmbiguousFraming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunked := len(r.TransferEncoding) > 0
		http10 := !r.ProtoAtLeast(1, 1) // its Transfer-Encoding is gone already
		if chunked || http10 {
			w.Header().Set("Connection", "close")
			w = closingWriter{w}
		}
		next.ServeHTTP(w, r)
	})
}

// closingWriter sets Connection: close again as the header goes out, in
// case a handler dropped it since (faultWrap's 500 keeps only the
// request id).
type closingWriter struct{ http.ResponseWriter }

// WriteHeader sends the status, with Connection: close.
func (w closingWriter) WriteHeader(code int) {
	w.Header().Set("Connection", "close")
	w.ResponseWriter.WriteHeader(code)
}

// Write sends p, and the header first, with Connection: close, if it has
// not gone yet.
func (w closingWriter) Write(p []byte) (int, error) {
	w.Header().Set("Connection", "close") // a first Write sends the header
	return w.ResponseWriter.Write(p)
}

// FlushError is what http.ResponseController's Flush calls: a flush can
// send the header too.
func (w closingWriter) FlushError() error {
	w.Header().Set("Connection", "close")
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath, for
// deadlines and the rest.
func (w closingWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// newServer returns the server: the Go twin of eventlet's wsgi.server as
// nova's Server configures it. Every limit is set on purpose; net/http's
// zero values mean "no limit", which a server facing clients cannot afford.
func newServer(h http.Handler, readHeaderTimeout time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		// Whatever the app does, no smuggled request is ever read.
		Handler: closeAmbiguousFraming(h),
		// Slowloris, headers trickled to hold a conn; nova's client_socket_timeout.
		ReadHeaderTimeout: readHeaderTimeout,
		// A body trickled to hold a handler; eventlet's socket timeout.
		ReadTimeout: 30 * time.Second,
		// A slow reader holding a handler (outlasts /sleep); eventlet's socket timeout.
		WriteTimeout: maxSleep + 10*time.Second,
		// Idle keep-alive connections piling up; nova's wsgi_keep_alive.
		IdleTimeout: 120 * time.Second,
		// Huge headers eating memory get 431; nova's max_header_line.
		MaxHeaderBytes: 16 << 10,
		// Not the signal's context: Ctrl-C drains requests, never cancels them.
		BaseContext: func(net.Listener) context.Context { return context.Background() },
		// The server's own errors (a failed TLS handshake) go to the log.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// OPTIONS * goes to the handler too, to be logged like any request,
		// rather than answered by net/http out of the middleware's sight.
		DisableGeneralOptionsHandler: true,
	}
}

// waitAndShutDown waits until Serve fails or a signal comes on stop. On a
// signal it shuts srv down gracefully: it stops accepting, lets the
// requests in flight finish within timeout, and returns the exit status;
// a second signal exits at once. It writes to logs, so its lines come
// after the access lines of the requests before them. This is what
// oslo.service does on SIGTERM, within graceful_shutdown_timeout.
func waitAndShutDown(srv *http.Server, served <-chan error, stop <-chan os.Signal, timeout time.Duration, inFlight *atomic.Int64, logs *logBuffer) int {
	select {
	case err := <-served: // Serve returns only on failure, until Shutdown
		fmt.Fprintf(logs, "serve: %v\n", err)
		return 1
	case sig := <-stop:
		fmt.Fprintf(logs, "%v: shutting down, waiting up to %v for requests in flight: %d\n",
			sig, timeout, inFlight.Load())
	}
	go func() {
		sig := <-stop // a second signal: stop waiting
		fmt.Fprintf(logs, "%v again: exiting now; requests cut: %d\n", sig, inFlight.Load())
		logs.Flush() // os.Exit runs no deferred calls: flush by hand
		os.Exit(1)
	}()

	// Shutdown closes the listener, then the idle connections, and waits for
	// the active ones to finish, until ctx runs out.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(logs, "shutdown: gave up waiting after %v; requests cut: %d\n", timeout, inFlight.Load())
		return 1
	case err != nil:
		fmt.Fprintf(logs, "shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(logs, "shutdown complete")
	return 0
}
