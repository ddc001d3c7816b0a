// Command 03-server serves the application and middleware of step 02 with
// an explicit http.Server: timeouts, optional TLS, and a graceful shutdown
// on SIGINT or SIGTERM.
//
//	go run ./steps/03-server
//	curl -i http://localhost:8080
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// newHandler wraps the application in its middleware, outermost first.
func newHandler(logger *slog.Logger, maxBodySize int64) http.Handler {
	return chain(newApp(),
		requestID,              // first: everything inside can log the id
		accessLog(logger),      // outside faultWrap: it logs the 500 a panic becomes
		faultWrap(logger),      // turns a panic inside it into a 500
		sizeLimit(maxBodySize), // last: refuses a large body before the app
	)
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
	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		fmt.Fprintf(os.Stderr, "%s: -addr %q is not host:port, such as localhost:8080 (or :8080, to listen on every interface)\n", flags.Name(), *addr)
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
	// Once it serves, everything the server says goes through logs: the
	// access lines, batched, and the shutdown's lines in order behind them.
	logs := newLogBuffer(os.Stderr)
	logger := slog.New(slog.NewTextHandler(logs, nil))

	var inFlight atomic.Int64
	srv := newServer(countInFlight(&inFlight)(newHandler(logger, *maxBodySize)), *readHeaderTimeout, logger)
	scheme := "http"
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: loading -tls-cert and -tls-key: %v\n", flags.Name(), err)
			os.Exit(1)
		}
		if leaf, now := cert.Leaf, time.Now(); leaf != nil && (now.Before(leaf.NotBefore) || now.After(leaf.NotAfter)) {
			fmt.Fprintf(os.Stderr, "%s: warning: -tls-cert is valid from %v to %v, not now: clients will refuse it\n",
				flags.Name(), leaf.NotBefore, leaf.NotAfter)
		}
		// TLS 1.0 and 1.1 are broken. Go's server refuses them already;
		// saying so here keeps any GODEBUG setting from allowing them.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}

	// Catch the signals before listening: once "listening on" is printed,
	// Ctrl-C must already mean "shut down gracefully". The channel holds
	// two: the signal that starts the shutdown, and the one that cuts it.
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)

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
	code := waitAndShutDown(srv, served, stop, *shutdownTimeout, &inFlight, logs)
	logs.Flush()
	os.Exit(code)
}
