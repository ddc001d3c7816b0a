package script

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"wsgi-to-go/internal/proc"
)

// The script commands that watch a server's lifecycle: requests in flight
// across a shutdown, signals, slow clients, and the files they need.

// pending is a request started by inflight and finished by await.
type pending struct {
	done    chan struct{}
	body    string
	err     error
	started time.Time     // just before it was sent
	sleep   time.Duration // its d= parameter, for /sleep: how long it runs
}

// scriptState is what a script's commands remember between them: the
// requests in flight, and when signal last sent a signal.
type scriptState struct {
	pending    map[string]*pending
	lastSignal time.Time
}

// stateKey holds a script's scriptState in its Values.
type stateKey struct{}

func state(ts *testscript.TestScript) *scriptState {
	return ts.Value(stateKey{}).(*scriptState)
}

func pendingRequests(ts *testscript.TestScript) map[string]*pending {
	return state(ts).pending
}

// cmdInflight implements "inflight NAME URL": it starts a GET and returns
// once the response's header has arrived, so the handler is running; the
// request stays in flight until "await NAME".
func cmdInflight(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: inflight name url")
	}
	client := &http.Client{Timeout: proc.WaitLimit + time.Minute} // beyond any /sleep
	started := time.Now()
	resp, err := client.Get(args[1])
	if err != nil {
		ts.Fatalf("inflight: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		ts.Fatalf("inflight: %s answered %s", args[1], resp.Status)
	}
	p := &pending{done: make(chan struct{}), started: started}
	if u, err := url.Parse(args[1]); err == nil {
		p.sleep, _ = time.ParseDuration(u.Query().Get("d"))
	}
	pendingRequests(ts)[args[0]] = p
	go func() {
		defer close(p.done)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		p.body, p.err = string(b), err
	}()
}

// cmdAwait implements "await NAME": it waits, for proc.WaitLimit at most, for
// the body of the request "inflight NAME" started, and prints it. With !,
// the request must have failed: cut before its body was complete.
func cmdAwait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: await name")
	}
	p := pendingRequests(ts)[args[0]]
	if p == nil {
		ts.Fatalf("await: no request %q in flight", args[0])
	}
	select {
	case <-p.done:
	case <-time.After(proc.WaitLimit):
		ts.Fatalf("await: request %q still running after %v", args[0], proc.WaitLimit)
	}
	io.WriteString(ts.Stdout(), p.body)
	switch {
	case p.err != nil && !neg:
		ts.Fatalf("await: request %q failed: %v", args[0], p.err)
	case p.err == nil && neg:
		ts.Fatalf("await: request %q completed, want it cut", args[0])
	case p.err != nil:
		fmt.Fprintf(ts.Stderr(), "request cut: %v\n", p.err)
	}
}

// cmdWaitforClosed implements "! waitfor ADDR": it polls until nothing
// accepts connections on ADDR, for proc.WaitLimit at most.
func cmdWaitforClosed(ts *testscript.TestScript, addr string) {
	if !proc.PollFor(func() bool { return proc.Connect(addr) != nil }) {
		ts.Fatalf("! waitfor: %s still accepts connections after %v", addr, proc.WaitLimit)
	}
}

// cmdWaitforBody polls url until its body contains text, for proc.WaitLimit.
func cmdWaitforBody(ts *testscript.TestScript, url, text string) {
	client := &http.Client{Timeout: time.Second}
	last := ""
	ok := proc.PollFor(func() bool {
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(b)
		return strings.Contains(last, text)
	})
	if !ok {
		ts.Fatalf("waitfor: %s never answered with %q within %v; last: %q", url, text, proc.WaitLimit, last)
	}
}

// cmdSignal implements "signal PROGRAM HUP|INT|TERM": it sends the signal
// to the script's background commands running PROGRAM. (testscript's own
// kill sends INT and KILL only.)
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	signals := map[string]syscall.Signal{"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "TERM": syscall.SIGTERM}
	if neg || len(args) != 2 || signals[args[1]] == 0 {
		ts.Fatalf("usage: signal program HUP|INT|TERM")
	}
	sent := 0
	for _, cmd := range ts.BackgroundCmds() {
		if filepath.Base(cmd.Path) != args[0] {
			continue
		}
		state(ts).lastSignal = time.Now()
		if err := cmd.Process.Signal(signals[args[1]]); err != nil {
			ts.Fatalf("signal: %v", err)
		}
		sent++
	}
	if sent == 0 {
		ts.Fatalf("signal: no background command runs %s", args[0])
	}
}

// cmdSlowclient implements "slowclient ADDR TIMEOUT": it opens a
// connection and sends a request's headers a byte at a time, and requires
// the server to cut it after TIMEOUT (not before, and not much after),
// while a normal client is served meanwhile.
func cmdSlowclient(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: slowclient host:port timeout")
	}
	timeout, err := time.ParseDuration(args[1])
	if err != nil {
		ts.Fatalf("slowclient: %v", err)
	}
	status, err := proc.SlowClient(args[0], timeout)
	if err != nil {
		ts.Fatalf("slowclient: %v", err)
	}
	fmt.Fprintf(ts.Stdout(), "a normal client was served meanwhile: %s\n", status)
	fmt.Fprintf(ts.Stdout(), "the slow client was cut after the read-header timeout\n")
}

// cmdMkfile implements "mkfile FILE SIZE [PREFIX]": it writes PREFIX and
// then x's, SIZE bytes in all, on one line: a large header or body.
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: mkfile file size [prefix]")
	}
	size, err := strconv.Atoi(args[1])
	prefix := ""
	if len(args) == 3 {
		prefix = args[2]
	}
	if err != nil || size < len(prefix) {
		ts.Fatalf("mkfile: bad size %q", args[1])
	}
	data := prefix + strings.Repeat("x", size-len(prefix))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o666))
}

// cmdMkcert implements "mkcert DIR": it writes a self-signed certificate
// for localhost, 127.0.0.1 and ::1 (cert.pem) and its key (key.pem), as
// Go's own generate_cert.go does for TUTORIAL.md: a client trusts it when
// given cert.pem itself, as curl --cacert cert.pem does.
func cmdMkcert(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkcert dir")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o777))
	now := time.Now()
	ts.Check(proc.WriteCerts(dir, now.Add(-time.Hour), now.Add(24*time.Hour)))
}
