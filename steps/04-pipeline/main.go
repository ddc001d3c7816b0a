// Command 04-pipeline serves step 03's application and middleware, put
// together at start-up from a Paste Deploy-style api-paste.ini, and
// reloads it on SIGHUP.
//
//	go run ./steps/04-pipeline
//	go run ./steps/04-pipeline -print
//	curl -i http://localhost:8080
package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"wsgi-to-go/steps/04-pipeline/paste"
)

// main runs the service in its stages: read the flags, load the config,
// serve, reload on SIGHUP, and shut down on SIGINT or SIGTERM.
func main() {
	opts := parseFlags()
	// Once it serves, everything the server says goes through logs: the
	// access lines, batched, and the shutdown's lines in order behind them.
	logs := newLogBuffer(os.Stderr)
	logger := slog.New(slog.NewTextHandler(logs, nil))
	if opts.print {
		os.Exit(printConfig(opts, logger))
	}

	// Catch SIGHUP before the config loads: its default action kills the
	// process, and one sent while the config loads must wait instead, for
	// the reloader. The channel holds one SIGHUP, and signal.Notify drops
	// what does not fit, so the SIGHUPs that come during a reload make one
	// more reload, not one each.
	hangups := make(chan os.Signal, 1)
	signal.Notify(hangups, syscall.SIGHUP)

	// Build the pipeline before anything listens: a mistake in the config
	// is FILE:LINE: what is wrong, and exit status 2.
	handler, err := loadConfig(opts.configPath, opts.name, logger)
	if err != nil {
		fail(2, "%v", err)
	}
	pipeline := &swappable{}
	pipeline.current.Store(&handler)

	var inFlight atomic.Int64
	srv := newServer(countInFlight(&inFlight)(pipeline), opts.readHeaderTimeout, logger)
	if opts.tlsCert != "" {
		srv.TLSConfig = loadTLS(opts.tlsCert, opts.tlsKey)
	}

	// Catch the signals before listening: once "listening on" is printed,
	// Ctrl-C must already mean "shut down gracefully". The channel holds
	// two: the signal that starts the shutdown, and the one that cuts it.
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)

	ending := make(chan struct{})
	ended := reloadOnHangup(hangups, ending, func() { reload(pipeline, opts, logger, logs) })
	served := listenAndServe(srv, opts)
	code := waitAndShutDown(srv, served, stop, opts.shutdownTimeout, &inFlight, logs)

	// Let the reloader finish what it has: as long again as the shutdown
	// could take, and at least a second, so that an idle reloader always
	// has the time to see the end. A second signal still exits at once.
	// SIGHUP stays caught to the end: with no channel for it, its default
	// action would kill the process.
	close(ending)
	wait := max(opts.shutdownTimeout, time.Second)
	select {
	case <-ended:
	case <-time.After(wait):
		fmt.Fprintf(logs, "%v: a reload still runs after %v; exiting without it\n", syscall.SIGHUP, wait)
	}
	logs.Flush()
	if opts.pidFile != "" {
		os.Remove(opts.pidFile)
	}
	os.Exit(code)
}

// loadConfig makes the app called name in the config at path, in three
// stages: parse and resolve (paste.Load), then build (paste.Build). It is
// the Go twin of Paste Deploy's loadapp("config:"+path, name).
func loadConfig(path, name string, logger *slog.Logger) (http.Handler, error) {
	reg := newRegistry(logger)
	tree, err := paste.Load(path, name, reg)
	if err != nil {
		return nil, err
	}
	return paste.Build(tree, reg)
}

// reload loads the config again and, if that works, swaps the whole
// pipeline in one store; a config that fails to load changes nothing.
func reload(pipeline *swappable, opts options, logger *slog.Logger, logs *logBuffer) {
	h, err := loadConfig(opts.configPath, opts.name, logger)
	if err != nil {
		fmt.Fprintf(logs, "%v: reload failed, still serving the previous pipeline: %v\n", syscall.SIGHUP, err)
		return
	}
	pipeline.current.Store(&h)
	fmt.Fprintf(logs, "%v: reloaded %s\n", syscall.SIGHUP, opts.configPath)
}

// reloadOnHangup calls reload for each SIGHUP, in a goroutine of its own,
// until ending closes, and closes the channel it returns when it is done.
// No reload, however slow, holds up a SIGTERM, and no burst of SIGHUPs
// crowds one out.
func reloadOnHangup(hangups <-chan os.Signal, ending <-chan struct{}, reload func()) <-chan struct{} {
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case <-hangups:
				reload()
			case <-ending:
				select { // a SIGHUP that came before the end is not lost
				case <-hangups:
					reload()
				default:
				}
				return
			}
		}
	}()
	return ended
}

// listenAndServe writes the pid file, listens, and serves in a goroutine, whose
// end comes on the channel it returns. A taken port or a bad address
// fails here, in one line, before anything is served.
func listenAndServe(srv *http.Server, opts options) <-chan error {
	// The pid file names the process that serves, for a supervisor or
	// kill -HUP, as Unix daemons' do. It is written before listening, so
	// that it is there once a client can connect, and removed on the way
	// out (not after a second signal's exit at once, which leaves it, as a
	// crash does).
	if opts.pidFile != "" {
		if err := os.WriteFile(opts.pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fail(1, "-pidfile: %v", err)
		}
	}
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		if opts.pidFile != "" {
			os.Remove(opts.pidFile)
		}
		fail(1, "%v", err)
	}
	scheme := "http"
	if opts.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(os.Stderr, "listening on %s://%s\n", scheme, ln.Addr())
	served := make(chan error, 1)
	go func() {
		// Ask the flag, not srv.TLSConfig: Serve itself writes that field.
		if opts.tlsCert != "" {
			served <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
		} else {
			served <- srv.Serve(ln)
		}
	}()
	return served
}

// loadTLS loads the certificate and key for HTTPS, and warns of a
// certificate that is not valid now.
func loadTLS(certFile, keyFile string) *tls.Config {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		fail(1, "loading -tls-cert and -tls-key: %v", err)
	}
	if leaf, now := cert.Leaf, time.Now(); leaf != nil && (now.Before(leaf.NotBefore) || now.After(leaf.NotAfter)) {
		fmt.Fprintf(os.Stderr, "%s: warning: -tls-cert is valid from %v to %v, not now: clients will refuse it\n",
			progName, leaf.NotBefore, leaf.NotAfter)
	}
	// TLS 1.0 and 1.1 are broken. Go's server refuses them already;
	// saying so here keeps any GODEBUG setting from allowing them.
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// printConfig prints the resolved tree, as text or JSON, and returns the
// exit status. It builds nothing: a piece with no Go twin is shown, not
// refused.
func printConfig(opts options, logger *slog.Logger) int {
	tree, err := paste.Load(opts.configPath, opts.name, newRegistry(logger))
	if err != nil {
		fail(2, "%v", err)
	}
	if opts.json {
		err = paste.PrintJSON(os.Stdout, tree)
	} else {
		err = paste.Print(os.Stdout, tree)
	}
	if err != nil { // stdout closed, or full
		fail(1, "-print: %v", err)
	}
	return 0
}
