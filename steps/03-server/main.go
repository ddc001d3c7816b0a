// Command 03-server serves the application and middleware of step 02 with
// an explicit http.Server: timeouts, optional TLS, and a graceful shutdown
// on SIGINT or SIGTERM.
//
//	go run ./steps/03-server
//	curl -i http://localhost:8080
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// greeting is the 2016 Python example's body, byte for byte (spelling and
// spaces included), so the Go and Python servers can be compared exactly.
const greeting = " From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"

// greeter is the application: the Go twin of the Python example's class
// whose __call__(environ, start_response) answers every request.
type greeter struct{}

// ServeHTTP answers one request: r plays environ, and w takes what
// start_response and the returned body would.
func (greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain") // start_response's headers
	w.WriteHeader(http.StatusOK)                 // start_response's status
	io.WriteString(w, greeting)                  // the response iterable
}

// boom fails on purpose, so faultWrap can be seen at work.
func boom(w http.ResponseWriter, r *http.Request) {
	panic("boom: a bug in the application")
}

// echo answers a POST with its body. It reads the body, so sizeLimit can
// be seen cutting one that is too large while it is read.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		tooLarge(w, maxErr.Limit)
		return
	case err != nil:
		http.Error(w, "400 cannot read the request body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write(body)
}

// maxSleep bounds /sleep, so no request can hold the server for long.
const maxSleep = 30 * time.Second

// sleep answers GET /sleep?d=DURATION once the delay has passed: a slow
// request, to watch a graceful shutdown wait for it. Its header goes out
// at once, so the client can see that the request is in flight.
func sleep(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil || d < 0 || d > maxSleep {
		msg := fmt.Sprintf("400 d must be a duration from 0s to %v, such as d=5s", maxSleep)
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	select {
	case <-time.After(d):
		fmt.Fprintf(w, "slept %v\n", d)
	case <-r.Context().Done(): // the client went away, or the server closed
	}
}

// newApp routes requests to the application, as a WSGI app's own URL map
// would. "GET /{$}" matches GET and HEAD of / only: the mux answers other
// methods with 405 and an Allow header, and other paths with 404.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", greeter{})
	mux.HandleFunc("GET /boom", boom)
	mux.HandleFunc("POST /echo", echo)
	mux.HandleFunc("GET /sleep", sleep)
	return mux
}

// newHandler wraps the application in its middleware, outermost first.
func newHandler(logger *slog.Logger, maxBodySize int64) http.Handler {
	return chain(newApp(),
		requestID,              // first: everything inside can log the id
		accessLog(logger),      // outside faultWrap: it logs the 500 a panic becomes
		faultWrap(logger),      // turns a panic inside it into a 500
		sizeLimit(maxBodySize), // last: refuses a large body before the app
	)
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

// newServer returns the server: the Go twin of eventlet's wsgi.server as
// nova's Server configures it. Every limit is set on purpose; net/http's
// zero values mean "no limit", which a server facing clients cannot afford.
func newServer(h http.Handler, readHeaderTimeout time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler: h,
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
	}
}

func main() {
	flags := flag.NewFlagSet("03-server", flag.ContinueOnError)
	addr := flags.String("addr", "localhost:8080", "listen on `host:port`")
	maxBodySize := flags.Int64("max-body-size", defaultMaxBodySize, "refuse request bodies over `bytes` with 413")
	shutdownTimeout := flags.Duration("shutdown-timeout", 10*time.Second, "on SIGINT or SIGTERM, wait this long for requests in flight")
	readHeaderTimeout := flags.Duration("read-header-timeout", 5*time.Second, "disconnect a client that takes longer to send its headers")
	tlsCert := flags.String("tls-cert", "", "serve HTTPS with this certificate `file` (PEM); needs -tls-key")
	tlsKey := flags.String("tls-key", "", "the private key `file` (PEM) for -tls-cert")
	flags.Usage = func() {} // a bad flag prints one line: the problem
	if err := flags.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "usage: %s [flags]\n", flags.Name())
			flags.PrintDefaults()
			os.Exit(0)
		}
		os.Exit(2)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q\n", flags.Name(), flags.Arg(0))
		os.Exit(2)
	}
	if *maxBodySize < 0 {
		fmt.Fprintf(os.Stderr, "%s: -max-body-size %d: must not be negative\n", flags.Name(), *maxBodySize)
		os.Exit(2)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintf(os.Stderr, "%s: -tls-cert and -tls-key go together: give both, or neither\n", flags.Name())
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	var inFlight atomic.Int64
	srv := newServer(countInFlight(&inFlight)(newHandler(logger, *maxBodySize)), *readHeaderTimeout, logger)
	scheme := "http"
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: loading -tls-cert and -tls-key: %v\n", flags.Name(), err)
			os.Exit(1)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		scheme = "https"
	}

	// Catch the signals before listening: once "listening on" is printed,
	// Ctrl-C must already mean "shut down gracefully".
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)

	// Listen first, so a taken port or a bad address fails here, in one line.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on %s://%s\n", scheme, ln.Addr())
	served := make(chan error, 1)
	go func() {
		// Ask the flag, not srv.TLSConfig: Serve itself writes that field.
		if *tlsCert != "" {
			served <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
		} else {
			served <- srv.Serve(ln)
		}
	}()
	os.Exit(waitAndShutDown(srv, served, signals, *shutdownTimeout, &inFlight))
}

// waitAndShutDown waits until Serve fails or a signal comes. On a signal it
// shuts srv down gracefully: it stops accepting, lets the requests in flight
// finish within timeout, and returns the exit status. This is what
// oslo.service does on SIGTERM, within graceful_shutdown_timeout.
func waitAndShutDown(srv *http.Server, served <-chan error, signals <-chan os.Signal, timeout time.Duration, inFlight *atomic.Int64) int {
	select {
	case err := <-served: // Serve returns only on failure, until Shutdown
		fmt.Fprintf(os.Stderr, "serve: %v\n", err)
		return 1
	case sig := <-signals:
		fmt.Fprintf(os.Stderr, "%v: shutting down, waiting up to %v for requests in flight: %d\n",
			sig, timeout, inFlight.Load())
	}
	go func() {
		sig := <-signals // a second signal: stop waiting
		fmt.Fprintf(os.Stderr, "%v again: exiting now; requests cut: %d\n", sig, inFlight.Load())
		os.Exit(1)
	}()

	// Shutdown closes the listener, then the idle connections, and waits for
	// the active ones to finish, until ctx runs out.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(os.Stderr, "shutdown: gave up waiting after %v; requests cut: %d\n", timeout, inFlight.Load())
		return 1
	case err != nil:
		fmt.Fprintf(os.Stderr, "shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "shutdown complete")
	return 0
}
