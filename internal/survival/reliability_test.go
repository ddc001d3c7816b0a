package survival

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The reliability tests run step 04's real program, as the scripts do, and
// put it under what a production server meets: many requests at once, a
// shutdown or a reload in the middle of them, panics, slow and oversized
// clients, and requests made up at random. Every wait is bounded by
// proc.WaitLimit, and everything stays on loopback.

// stackTrace matches what a Go stack trace or a Python traceback shows.
var stackTrace = []string{"goroutine ", ".go:", "Traceback", "runtime/debug"}

func hasStackTrace(body string) bool {
	for _, s := range stackTrace {
		if strings.Contains(body, s) {
			return true
		}
	}
	return false
}

// TestShutdownFinishesRequestsInFlight: with 25 requests inside their
// handlers, SIGINT lets every one finish with 200, and the server exits 0.
// Each sleeps 2s, so that all 25 are still inside when the signal comes,
// even on a loaded machine: the shutdown's line counts them.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	const requests = 25
	s := proc.StartServer(t, "04-pipeline")
	client := proc.NewClient()
	arrived := make(chan struct{}, requests)
	results := make(chan string, requests)
	for range requests {
		go func() {
			resp, err := client.Get(s.URL("/sleep?d=2s"))
			if err != nil {
				arrived <- struct{}{}
				results <- err.Error()
				return
			}
			defer resp.Body.Close()
			arrived <- struct{}{} // the header came: the handler is running
			body, err := io.ReadAll(resp.Body)
			results <- fmt.Sprintf("%d %s%v", resp.StatusCode, body, errOrEmpty(err))
		}()
	}
	for range requests {
		select {
		case <-arrived:
		case <-time.After(proc.WaitLimit):
			t.Fatal("not every request reached its handler")
		}
	}
	s.Signal(t, syscall.SIGINT)
	for range requests {
		select {
		case got := <-results:
			if got != "200 slept 2s\n" {
				t.Errorf("a request in flight at the shutdown got %q, want 200 slept 2s", got)
			}
		case <-time.After(proc.WaitLimit):
			t.Fatal("a request in flight never finished")
		}
	}
	if code := s.ExitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.Stderr)
	}
	if want := fmt.Sprintf("requests in flight: %d\n", requests); !strings.Contains(s.Stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, s.Stderr)
	}
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}

// greetingConfig is a config with a pipeline: request_id, accesslog,
// faultwrap, then a greeting that says message.
func greetingConfig(message string) string {
	return `[pipeline:main]
pipeline = request_id accesslog faultwrap greeting

[filter:request_id]
use = egg:tutorial#request_id

[filter:accesslog]
use = egg:tutorial#accesslog

[filter:faultwrap]
use = egg:tutorial#faultwrap

[app:greeting]
use = egg:tutorial#greeting
message = ` + message + "\n"
}

// writeFileAtomically replaces path's content at once, as an operator's
// editor or config management does, so a reload never reads half a file.
func writeFileAtomically(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestReloadUnderLoad: while workers send requests without a pause, SIGHUP
// reloads a good config five times, then a broken one; not one request
// fails, and each answer is the old pipeline's or the new one's.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "api-paste.ini")
	writeFileAtomically(t, config, greetingConfig("first"))
	s := proc.StartServer(t, "04-pipeline", "-config", config)
	client := proc.NewClient()

	var stop atomic.Bool
	var served, failed atomic.Int64
	var seen sync.Map // the bodies seen
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				status, body, err := proc.Get(client, s.URL("/"))
				served.Add(1)
				if err != nil || status != 200 || (body != "first\n" && body != "second\n") {
					failed.Add(1)
					t.Errorf("during reloads: %d %q %v", status, body, err)
					return
				}
				seen.Store(body, true)
			}
		}()
	}
	messages := []string{"second", "first", "second", "first", "second"}
	for i, message := range messages {
		before := served.Load()
		writeFileAtomically(t, config, greetingConfig(message))
		s.Signal(t, syscall.SIGHUP)
		s.WaitForLog(t, "hangup: reloaded", i+1)
		// Requests were served across this reload, not only around it.
		if !proc.PollFor(func() bool { return served.Load() > before+20 }) {
			t.Fatal("the workers stopped sending requests")
		}
	}
	writeFileAtomically(t, config, "[pipeline:main]\npipeline = request_id\n")
	s.Signal(t, syscall.SIGHUP)
	s.WaitForLog(t, "hangup: reload failed, still serving the previous pipeline", 1)
	before := served.Load()
	if !proc.PollFor(func() bool { return served.Load() > before+20 }) {
		t.Fatal("the workers stopped sending requests")
	}
	stop.Store(true)
	wg.Wait()

	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed across the reloads", failed.Load(), served.Load())
	}
	for _, body := range []string{"first\n", "second\n"} {
		if _, ok := seen.Load(body); !ok {
			t.Errorf("no request was answered %q: the reloads did not take", body)
		}
	}
	t.Logf("%d requests across %d reloads and a failed one, none failed", served.Load(), len(messages))
	s.Signal(t, syscall.SIGINT)
	if code := s.ExitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.Stderr)
	}
}

// novaFault is the body of nova's FaultWrapper's 500, which faultWrap
// answers byte for byte.
const novaFault = `{"computeFault": {"code": 500, "message": ` +
	`"The server has either erred or is incapable of performing the requested operation."}}`

// tooLargePlain is webob's 413 as oslo's RequestBodySizeLimiter raises it,
// for a client that sends no Accept.
const tooLargePlain = "413 Request Entity Too Large\n\n" +
	"Request is too large. Larger than max_request_body_size (114688).\n\n   "

// TestPanicStorm: 200 requests for /boom at once each get the JSON 500,
// with no stack trace, and the server goes on serving.
func TestPanicStorm(t *testing.T) {
	t.Parallel()
	const requests = 200
	s := proc.StartServer(t, "04-pipeline")
	client := proc.NewClient()
	errs := make(chan error, requests)
	for range requests {
		go func() {
			status, body, err := proc.Get(client, s.URL("/boom"))
			switch {
			case err != nil:
				err = fmt.Errorf("GET /boom: %v", err)
			case status != 500:
				err = fmt.Errorf("status %d, want 500", status)
			case hasStackTrace(body):
				err = fmt.Errorf("a stack trace in the response: %q", body)
			case body != novaFault:
				err = fmt.Errorf("not the JSON fault: %q", body)
			}
			errs <- err
		}()
	}
	for range requests {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(proc.WaitLimit):
			t.Fatal("a /boom request never finished")
		}
	}
	if status, body, err := proc.Get(client, s.URL("/")); err != nil || status != 200 {
		t.Fatalf("after the panics, GET / got %d %q %v", status, body, err)
	}
	s.WaitForLog(t, "level=ERROR msg=panic ", requests)
}

// TestSlowClients: clients that trickle their headers are cut at the
// read-header timeout, while normal clients are served.
func TestSlowClients(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	s := proc.StartServer(t, "04-pipeline", "-read-header-timeout", timeout.String())
	errs := make(chan error, 5)
	for range 5 {
		go func() {
			status, err := proc.SlowClient(s.Addr, timeout)
			if err == nil && status != "200 OK" {
				err = fmt.Errorf("the normal client got %s", status)
			}
			errs <- err
		}()
	}
	for range 5 {
		if err := <-errs; err != nil { // slowClient bounds its own wait
			t.Error(err)
		}
	}
}

// TestOversizedInput: a header too large gets 431 and a body too large
// gets 413, each a whole response the client can read, not a reset.
func TestOversizedInput(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")

	t.Run("header", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", s.Addr, proc.WaitLimit)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(proc.WaitLimit))
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("x", 64<<10))
		got, err := io.ReadAll(conn) // to EOF: the server closes the connection
		if err != nil {
			t.Fatalf("reading the answer: %v (after %q)", err, got)
		}
		if !bytes.HasPrefix(got, []byte("HTTP/1.1 431 ")) || !bytes.Contains(got, []byte("Connection: close")) {
			t.Errorf("got %q, want a 431 that closes the connection", got)
		}
	})

	for _, chunked := range []bool{false, true} {
		name := map[bool]string{false: "body, declared", true: "body, chunked"}[chunked]
		t.Run(name, func(t *testing.T) {
			body := io.Reader(bytes.NewReader(make([]byte, 8<<20)))
			if chunked {
				body = io.MultiReader(body) // hides the length: the client sends it chunked
			}
			req, err := http.NewRequest("POST", s.URL("/echo"), body)
			if err != nil {
				t.Fatal(err)
			}
			status, text, err := proc.Do(proc.NewClient(), req)
			if err != nil || status != 413 || text != tooLargePlain {
				t.Errorf("got %d %q %v, want the 413", status, text, err)
			}
		})
	}
	if status, _, err := proc.Get(proc.NewClient(), s.URL("/")); err != nil || status != 200 {
		t.Fatalf("afterwards, GET / got %d %v", status, err)
	}
}

// TestRandomRequests: 10,000 requests with random methods, paths, headers
// and bodies get no 5xx but from /boom, no stack trace, and the server
// never stops. The seed is logged, so a failure can be replayed.
func TestRandomRequests(t *testing.T) {
	t.Parallel()
	const requests, workers = 10000, 8
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	s := proc.StartServer(t, "04-pipeline")
	client := proc.NewClient()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for range requests / workers {
				req := randomRequest(rng, s.Addr)
				status, body, err := proc.Do(client, req)
				boom := req.URL.Path == "/boom" && (req.Method == "GET" || req.Method == "HEAD")
				switch {
				case err != nil:
				case status >= 500 && !boom:
					err = fmt.Errorf("status %d", status)
				case hasStackTrace(body):
					err = fmt.Errorf("a stack trace in the response: %q", body)
				}
				if err != nil && failures.Add(1) <= 5 {
					t.Errorf("%s %s: %v", req.Method, req.URL, err)
				}
			}
		}()
	}
	wg.Wait()
	if s.HasExited() {
		t.Fatalf("the server exited:\n%s", s.Stderr)
	}
	if status, _, err := proc.Get(client, s.URL("/")); err != nil || status != 200 {
		t.Fatalf("afterwards, GET / got %d %v", status, err)
	}
}

// randomRequest makes up a request: a method, a path of random segments
// (some percent-encoded bytes, some of the app's own paths), a few headers
// with odd values, and sometimes a body.
func randomRequest(rng *rand.Rand, addr string) *http.Request {
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"}
	known := []string{"/", "/boom", "/echo", "/healthcheck", "/sleep", "/sleep/x", "//", "/./", "/../"}
	const segmentChars = "abcXYZ019-._~!$&'()*+,;=:@"
	var path string
	if rng.IntN(3) == 0 {
		path = known[rng.IntN(len(known))]
	} else {
		for range 1 + rng.IntN(4) {
			path += "/"
			for range rng.IntN(8) {
				if rng.IntN(5) == 0 {
					path += fmt.Sprintf("%%%02X", rng.IntN(256))
				} else {
					path += string(segmentChars[rng.IntN(len(segmentChars))])
				}
			}
		}
	}
	method := methods[rng.IntN(len(methods))]
	var body io.Reader
	if rng.IntN(3) == 0 {
		body = strings.NewReader(strings.Repeat("b", rng.IntN(200<<10)))
	}
	req, err := http.NewRequest(method, "http://"+addr+path, body)
	if err != nil {
		panic(err) // the path is built from valid characters only
	}
	values := []string{"", " ", `"`, `\`, "a=b c=d", "level=ERROR msg=forged", "%0A", "☃", "x;y,z"}
	for range rng.IntN(5) {
		name := []string{"X-Auth-Token", "X-Openstack-Request-Id", "Content-Type", "Accept", "X-Random"}[rng.IntN(5)]
		req.Header.Add(name, values[rng.IntN(len(values))])
	}
	return req
}

// TestHasStackTrace guards the check the tests above lean on.
func TestHasStackTrace(t *testing.T) {
	if !hasStackTrace("goroutine 1 [running]:") || hasStackTrace(`{"computeFault":{}}`) {
		t.Error("hasStackTrace does not tell a stack trace from a fault")
	}
}
