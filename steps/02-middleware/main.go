// Command 02-middleware serves the application of step 01 wrapped in
// middleware: request ids, fault wrapping, a body size limit and an access
// log, each a func(http.Handler) http.Handler.
//
//	go run ./steps/02-middleware
//	curl -i http://localhost:8080
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
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
		tooLarge(w, r, maxErr.Limit)
		return
	case err != nil:
		http.Error(w, "400 cannot read the request body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// newApp routes requests to the application, as a WSGI app's own URL map
// would. "GET /{$}" matches GET and HEAD of / only: the mux answers other
// methods with 405 and an Allow header, and other paths with 404.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", greeter{})
	mux.HandleFunc("GET /boom", boom)
	mux.HandleFunc("POST /echo", echo)
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

func main() {
	flags := flag.NewFlagSet("02-middleware", flag.ContinueOnError)
	addr := flags.String("addr", "localhost:8080", "listen on `host:port`")
	maxBodySize := flags.Int64("max-body-size", defaultMaxBodySize, "refuse request bodies over `bytes` with 413")
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
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	// Listen first, so a taken port or a bad address fails here, in one line.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on http://%s\n", ln.Addr())
	err = http.Serve(ln, newHandler(logger, *maxBodySize))
	fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
	os.Exit(1)
}
