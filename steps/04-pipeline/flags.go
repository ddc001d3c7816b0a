package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"
)

// progName is the program's name, at the start of every error.
const progName = "04-pipeline"

// defaultConfig is the shipped config, found from the repository's root,
// where the tutorial runs every command.
const defaultConfig = "steps/04-pipeline/api-paste.ini"

// options are the command line's flags.
type options struct {
	configPath, name  string
	print, json       bool
	addr              string
	shutdownTimeout   time.Duration
	readHeaderTimeout time.Duration
	tlsCert, tlsKey   string
	pidFile           string
}

// parseFlags reads the command line, or exits: with status 0 after
// -help, and 2 after a mistake, in one line.
func parseFlags() options {
	var o options
	flags := flag.NewFlagSet(progName, flag.ContinueOnError)
	flags.StringVar(&o.configPath, "config", defaultConfig, "the Paste Deploy-style config `file`")
	flags.StringVar(&o.name, "name", "main", "the app, pipeline or composite `section` to serve")
	flags.BoolVar(&o.print, "print", false, "print what the config builds, and exit")
	flags.BoolVar(&o.json, "json", false, "with -print, print it as JSON, for tools")
	flags.StringVar(&o.addr, "addr", "localhost:8080", "listen on `host:port`")
	flags.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT or SIGTERM, wait this long for requests in flight")
	flags.DurationVar(&o.readHeaderTimeout, "read-header-timeout", 5*time.Second, "disconnect a client that takes longer to send its headers")
	flags.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM); needs -tls-key")
	flags.StringVar(&o.tlsKey, "tls-key", "", "the private key `file` (PEM) for -tls-cert")
	flags.StringVar(&o.pidFile, "pidfile", "", "while serving, keep the process id in this `file`, for kill -HUP $(cat file)")
	flags.Usage = func() {} // a bad flag prints one line: the problem
	if err := flags.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "usage: %s [flags]\n", progName)
			flags.PrintDefaults()
			os.Exit(0)
		}
		os.Exit(2)
	}
	switch {
	case flags.NArg() > 0:
		fail(2, "unexpected argument %q", flags.Arg(0))
	case o.json && !o.print:
		fail(2, "-json goes with -print")
	}
	if _, port, err := net.SplitHostPort(o.addr); err != nil || port == "" {
		fail(2, "-addr %q is not host:port, such as localhost:8080 (or :8080, to listen on every interface)", o.addr)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		fail(2, "-tls-cert and -tls-key go together: give both, or neither")
	}
	if o.configPath == defaultConfig {
		if _, err := os.Stat(defaultConfig); errors.Is(err, fs.ErrNotExist) {
			here, _ := os.Getwd()
			fail(2, "no %s in %s: run from the repository's root, or give -config path/to/api-paste.ini", defaultConfig, here)
		}
	}
	return o
}

// fail prints "04-pipeline: " and the message, in one line, and exits
// with code: 2 for a mistake in the command line or the config, 1 at run
// time.
func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, progName+": "+format+"\n", args...)
	os.Exit(code)
}
