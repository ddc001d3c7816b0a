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
	"errors"
	"flag"
	"fmt"
	"io/fs"
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

// loadConfig makes the app, pipeline or composite called name in the
// config at path, in the loader's three stages: parse the file, resolve
// the name into a tree of contexts, build the tree into one handler. It
// is the Go twin of Paste Deploy's loadapp("config:"+path, name).
func loadConfig(path, name string, logger *slog.Logger) (http.Handler, error) {
	reg := newRegistry(logger)
	tree, err := paste.Load(path, name, reg)
	if err != nil {
		return nil, err
	}
	return paste.Build(tree, reg)
}

// defaultConfig is the shipped config, found from the repository's root,
// where the tutorial runs every command.
const defaultConfig = "steps/04-pipeline/api-paste.ini"

func main() {
	flags := flag.NewFlagSet("04-pipeline", flag.ContinueOnError)
	configPath := flags.String("config", defaultConfig, "the Paste Deploy-style config `file`")
	name := flags.String("name", "main", "the app, pipeline or composite `section` to serve")
	printFlag := flags.Bool("print", false, "print what the config builds, and exit")
	jsonFlag := flags.Bool("json", false, "with -print, print it as JSON, for tools")
	addr := flags.String("addr", "localhost:8080", "listen on `host:port`")
	shutdownTimeout := flags.Duration("shutdown-timeout", 10*time.Second, "on SIGINT or SIGTERM, wait this long for requests in flight")
	readHeaderTimeout := flags.Duration("read-header-timeout", 5*time.Second, "disconnect a client that takes longer to send its headers")
	tlsCert := flags.String("tls-cert", "", "serve HTTPS with this certificate `file` (PEM); needs -tls-key")
	tlsKey := flags.String("tls-key", "", "the private key `file` (PEM) for -tls-cert")
	pidFile := flags.String("pidfile", "", "while serving, keep the process id in this `file`, for kill -HUP $(cat file)")
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
	if *jsonFlag && !*printFlag {
		fmt.Fprintf(os.Stderr, "%s: -json goes with -print\n", flags.Name())
		os.Exit(2)
	}
	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		fmt.Fprintf(os.Stderr, "%s: -addr %q is not host:port, such as localhost:8080 (or :8080, to listen on every interface)\n", flags.Name(), *addr)
		os.Exit(2)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintf(os.Stderr, "%s: -tls-cert and -tls-key go together: give both, or neither\n", flags.Name())
		os.Exit(2)
	}
	if *configPath == defaultConfig {
		if _, err := os.Stat(defaultConfig); errors.Is(err, fs.ErrNotExist) {
			here, _ := os.Getwd()
			fmt.Fprintf(os.Stderr, "%s: no %s in %s: run from the repository's root, or give -config path/to/api-paste.ini\n",
				flags.Name(), defaultConfig, here)
			os.Exit(2)
		}
	}
	// Once it serves, everything the server says goes through logs: the
	// access lines, batched, and the shutdown's lines in order behind them.
	logs := newLogBuffer(os.Stderr)
	logger := slog.New(slog.NewTextHandler(logs, nil))

	// -print resolves the config, and builds nothing: a piece with no Go
	// twin is shown, not refused.
	if *printFlag {
		tree, err := paste.Load(*configPath, *name, newRegistry(logger))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
			os.Exit(2)
		}
		if *jsonFlag {
			err = paste.PrintJSON(os.Stdout, tree)
		} else {
			err = paste.Print(os.Stdout, tree)
		}
		if err != nil { // stdout closed, or full
			fmt.Fprintf(os.Stderr, "%s: -print: %v\n", flags.Name(), err)
			os.Exit(1)
		}
		os.Exit(0)
	}

	// Catch SIGHUP before the config loads: its default action kills the
	// process, and one sent while the config loads must wait instead, for
	// the reloader below. The channel holds one SIGHUP, and signal.Notify
	// drops what does not fit, so the SIGHUPs that come during a reload
	// make one more reload, not one each.
	hangups := make(chan os.Signal, 1)
	signal.Notify(hangups, syscall.SIGHUP)

	// Build the pipeline before anything listens: a mistake in the config
	// is FILE:LINE: what is wrong, and exit status 2.
	handler, err := loadConfig(*configPath, *name, logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		os.Exit(2)
	}
	pipeline := &swappable{}
	pipeline.current.Store(&handler)
	reload := func() {
		h, err := loadConfig(*configPath, *name, logger)
		if err != nil {
			fmt.Fprintf(logs, "%v: reload failed, still serving the previous pipeline: %v\n", syscall.SIGHUP, err)
			return
		}
		pipeline.current.Store(&h)
		fmt.Fprintf(logs, "%v: reloaded %s\n", syscall.SIGHUP, *configPath)
	}

	var inFlight atomic.Int64
	srv := newServer(countInFlight(&inFlight)(pipeline), *readHeaderTimeout, logger)
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

	// SIGHUP has its channel, and a goroutine, of its own: no reload,
	// however slow, holds up a SIGTERM, and no burst of SIGHUPs crowds one
	// out.
	ending, ended := make(chan struct{}), make(chan struct{})
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

	// The pid file names the process that serves, for a supervisor or
	// kill -HUP, as Unix daemons' do. It is written before listening, so
	// that it is there once a client can connect, and removed on the way
	// out (not after a second signal's exit at once, which leaves it, as a
	// crash does).
	if *pidFile != "" {
		if err := os.WriteFile(*pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "%s: -pidfile: %v\n", flags.Name(), err)
			os.Exit(1)
		}
	}

	// Listen first, so a taken port or a bad address fails here, in one line.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		if *pidFile != "" {
			os.Remove(*pidFile)
		}
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
	// Let the reloader finish what it has: as long again as the shutdown
	// could take, and at least a second, so that an idle reloader always
	// has the time to see the end. A second signal still exits at once.
	// SIGHUP stays caught to the end: with no channel for it, its default
	// action would kill the process.
	close(ending)
	wait := max(*shutdownTimeout, time.Second)
	select {
	case <-ended:
	case <-time.After(wait):
		fmt.Fprintf(logs, "%v: a reload still runs after %v; exiting without it\n", syscall.SIGHUP, wait)
	}
	logs.Flush()
	if *pidFile != "" {
		os.Remove(*pidFile)
	}
	os.Exit(code)
}
