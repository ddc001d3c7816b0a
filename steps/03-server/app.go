package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	// Content-Length, known before the sleep, lets a client tell a cut
	// answer from a whole one.
	body := fmt.Sprintf("slept %v\n", d)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	select {
	case <-time.After(d):
		io.WriteString(w, body)
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
