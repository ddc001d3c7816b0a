// Command 01-app serves the Go twin of a WSGI application: one
// http.Handler that answers with the 2016 meetup's greeting.
//
//	go run ./steps/01-app
//	curl http://localhost:8080
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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

// newApp routes requests to the application, as a WSGI app's own URL map
// would. "GET /{$}" matches GET and HEAD of / only: the mux answers other
// methods with 405 and an Allow header, and other paths with 404.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", greeter{})
	return mux
}

func main() {
	flags := flag.NewFlagSet("01-app", flag.ContinueOnError)
	addr := flags.String("addr", "localhost:8080", "listen on `host:port`")
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

	// Listen first, so a taken port or a bad address fails here, in one line.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on http://%s\n", ln.Addr())
	err = http.Serve(ln, newApp())
	fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
	os.Exit(1)
}
