package tutorial

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The reliability tests run step 04's real program, as the scripts do, and
// put it under what a production server meets: many requests at once, a
// shutdown or a reload in the middle of them, panics, slow and oversized
// clients, and requests made up at random. Every wait is bounded by
// waitLimit, and everything stays on loopback.

// server is a step's program running for a test.
type server struct {
	addr   string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{} // closed once the process has ended
}

// lockedBuffer is a bytes.Buffer that a process writes while a test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts step's program on a free loopback port, with args
// after -addr, and returns once it accepts connections. The process is
// killed when the test ends, if it is still running.
func startServer(t *testing.T, step string, args ...string) *server {
	t.Helper()
	dir, _ := buildSteps(t)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: addr, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(filepath.Join(dir, step), append([]string{"-addr", addr}, args...)...)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.exited
	})
	if !pollFor(func() bool { return connect(addr) == nil || s.hasExited() }) || s.hasExited() {
		t.Fatalf("%s did not start accepting connections on %s:\n%s", step, addr, s.stderr)
	}
	return s
}

func (s *server) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// signal sends sig to the server.
func (s *server) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// exitStatus waits for the server to exit, for waitLimit at most, and
// returns its exit status.
func (s *server) exitStatus(t *testing.T) int {
	t.Helper()
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(waitLimit):
		t.Fatalf("the server still runs %v after it was told to stop:\n%s", waitLimit, s.stderr)
		return -1
	}
}

// waitForLog waits until the server's stderr has text count times.
func (s *server) waitForLog(t *testing.T, text string, count int) {
	t.Helper()
	if !pollFor(func() bool { return strings.Count(s.stderr.String(), text) >= count }) {
		t.Fatalf("the server's stderr never had %q %d times:\n%s", text, count, s.stderr)
	}
}

// url returns the server's URL for path.
func (s *server) url(path string) string {
	return "http://" + s.addr + path
}

// newClient returns a client that keeps connections open for many
// workers, and gives up on a request after waitLimit.
func newClient() *http.Client {
	return &http.Client{
		Timeout:   waitLimit,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
}

// do sends req and returns its status and body.
func do(client *http.Client, req *http.Request) (int, string, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// get makes one GET and returns its status and body.
func get(client *http.Client, url string) (int, string, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, "", err
	}
	return do(client, req)
}

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
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	const requests = 25
	s := startServer(t, "04-pipeline")
	client := newClient()
	arrived := make(chan struct{}, requests)
	results := make(chan string, requests)
	for range requests {
		go func() {
			resp, err := client.Get(s.url("/sleep?d=500ms"))
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
		case <-time.After(waitLimit):
			t.Fatal("not every request reached its handler")
		}
	}
	s.signal(t, syscall.SIGINT)
	for range requests {
		select {
		case got := <-results:
			if got != "200 slept 500ms\n" {
				t.Errorf("a request in flight at the shutdown got %q, want 200 slept 500ms", got)
			}
		case <-time.After(waitLimit):
			t.Fatal("a request in flight never finished")
		}
	}
	if code := s.exitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.stderr)
	}
	if want := fmt.Sprintf("requests in flight: %d\n", requests); !strings.Contains(s.stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, s.stderr)
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
	s := startServer(t, "04-pipeline", "-config", config)
	client := newClient()

	var stop atomic.Bool
	var served, failed atomic.Int64
	var seen sync.Map // the bodies seen
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				status, body, err := get(client, s.url("/"))
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
		s.signal(t, syscall.SIGHUP)
		s.waitForLog(t, "hangup: reloaded", i+1)
		// Requests were served across this reload, not only around it.
		if !pollFor(func() bool { return served.Load() > before+20 }) {
			t.Fatal("the workers stopped sending requests")
		}
	}
	writeFileAtomically(t, config, "[pipeline:main]\npipeline = request_id\n")
	s.signal(t, syscall.SIGHUP)
	s.waitForLog(t, "hangup: reload failed, still serving the previous pipeline", 1)
	before := served.Load()
	if !pollFor(func() bool { return served.Load() > before+20 }) {
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
	s.signal(t, syscall.SIGINT)
	if code := s.exitStatus(t); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, s.stderr)
	}
}

// TestPanicStorm: 200 requests for /boom at once each get the JSON 500,
// with no stack trace, and the server goes on serving.
func TestPanicStorm(t *testing.T) {
	t.Parallel()
	const requests = 200
	s := startServer(t, "04-pipeline")
	client := newClient()
	errs := make(chan error, requests)
	for range requests {
		go func() {
			status, body, err := get(client, s.url("/boom"))
			var fault struct {
				ComputeFault struct {
					Code      int    `json:"code"`
					RequestID string `json:"request_id"`
				} `json:"computeFault"`
			}
			switch {
			case err != nil:
			case status != 500:
				err = fmt.Errorf("status %d, want 500", status)
			case hasStackTrace(body):
				err = fmt.Errorf("a stack trace in the response: %q", body)
			case json.Unmarshal([]byte(body), &fault) != nil || fault.ComputeFault.Code != 500 ||
				!strings.HasPrefix(fault.ComputeFault.RequestID, "req-"):
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
		case <-time.After(waitLimit):
			t.Fatal("a /boom request never finished")
		}
	}
	if status, body, err := get(client, s.url("/")); err != nil || status != 200 {
		t.Fatalf("after the panics, GET / got %d %q %v", status, body, err)
	}
	s.waitForLog(t, "level=ERROR msg=panic ", requests)
}

// TestSlowClients: clients that trickle their headers are cut at the
// read-header timeout, while normal clients are served.
func TestSlowClients(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	s := startServer(t, "04-pipeline", "-read-header-timeout", timeout.String())
	errs := make(chan error, 5)
	for range 5 {
		go func() {
			status, err := slowClient(s.addr, timeout)
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
	s := startServer(t, "04-pipeline")

	t.Run("header", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", s.addr, waitLimit)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(waitLimit))
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
			req, err := http.NewRequest("POST", s.url("/echo"), body)
			if err != nil {
				t.Fatal(err)
			}
			status, text, err := do(newClient(), req)
			if err != nil || status != 413 || text != "413 request body larger than 114688 bytes\n" {
				t.Errorf("got %d %q %v, want the 413", status, text, err)
			}
		})
	}
	if status, _, err := get(newClient(), s.url("/")); err != nil || status != 200 {
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
	s := startServer(t, "04-pipeline")
	client := newClient()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for range requests / workers {
				req := randomRequest(rng, s.addr)
				status, body, err := do(client, req)
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
	if s.hasExited() {
		t.Fatalf("the server exited:\n%s", s.stderr)
	}
	if status, _, err := get(client, s.url("/")); err != nil || status != 200 {
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
