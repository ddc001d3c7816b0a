//go:build longtests && linux

package survival

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The timeout tests that wait for the server's real, fixed timeouts:
// ReadTimeout (30s) and WriteTimeout (40s). They take 40 seconds, so the
// normal test run leaves them out, and .ci/run runs them:
//
//	go test -tags longtests -run 'TestSlowBody|TestClientNeverReads' ./internal/survival

// readTimeout and writeTimeout are newServer's.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = 40 * time.Second
)

// TestSlowBody: a client that trickles its body, a byte every half second,
// is cut at the ReadTimeout, while a normal client is served meanwhile.
func TestSlowBody(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	start := time.Now() // before the dial: the server's clock starts at its accept
	conn, err := net.DialTimeout("tcp", s.Addr, proc.WaitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
	cut := make(chan time.Duration, 1)
	go func() {
		conn.SetReadDeadline(start.Add(readTimeout + proc.WaitLimit))
		io.ReadAll(conn) // the 400 the handler may still answer, then the end
		cut <- time.Since(start)
	}()
	trickle := time.NewTicker(500 * time.Millisecond)
	defer trickle.Stop()
	served := false
	for {
		select {
		case elapsed := <-cut:
			if elapsed < readTimeout*9/10 || elapsed > readTimeout+proc.WaitLimit {
				t.Errorf("cut after %v, want the %v read timeout", elapsed, readTimeout)
			}
			if !served {
				t.Error("no normal client was served while the slow one trickled")
			}
			stopServer(t, s)
			return
		case <-trickle.C:
			conn.Write([]byte("x")) // fails once the server has hung up
			if !served {
				status, _, err := proc.Get(proc.NewClient(), s.URL("/"))
				if err != nil || status != 200 {
					t.Fatalf("a normal client, while the slow one trickles: %d %v", status, err)
				}
				served = true
			}
		}
	}
}

// TestClientNeverReads: a client that sends requests and never reads the
// answers fills its socket, and the server's write stalls; the server
// cuts the connection at the WriteTimeout, serves others meanwhile, and
// lets go of the connection's file descriptor.
func TestClientNeverReads(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	quiet(t, s)
	start := time.Now() // before the dial: the server's clock starts at its accept
	conn, err := net.DialTimeout("tcp", s.Addr, proc.WaitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)

	// Far more answers than the sockets hold: the server's writes stall.
	requests := strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200000)
	go io.WriteString(conn, requests) // stalls too, once the server stops reading
	held := func() bool { _, sockets := openFiles(t, s); return sockets > 1 }
	if !proc.PollFor(held) {
		t.Fatal("the server never took the connection")
	}
	client := proc.NewClient()
	status, _, err := proc.Get(client, s.URL("/"))
	client.CloseIdleConnections()
	if err != nil || status != 200 {
		t.Fatalf("a normal client, while one never reads: %d %v", status, err)
	}

	// The server closes its end once a write has stalled for the timeout.
	deadline := start.Add(writeTimeout + proc.WaitLimit)
	for held() && time.Now().Before(deadline) {
		proc.PollFor(func() bool { return !held() })
	}
	elapsed := time.Since(start)
	if held() {
		t.Fatalf("after %v the server still holds the connection", elapsed)
	}
	if elapsed < writeTimeout*9/10 {
		t.Errorf("cut after %v, before the %v write timeout", elapsed, writeTimeout)
	}
	t.Logf("the connection was cut after %v", elapsed)
	conn.SetReadDeadline(time.Now().Add(proc.WaitLimit))
	if _, err := io.Copy(io.Discard, conn); err != nil && !isClosed(err) && !errors.Is(err, net.ErrClosed) {
		t.Errorf("reading what was sent before the cut: %v", fmt.Sprint(err))
	}
	stopServer(t, s)
}
