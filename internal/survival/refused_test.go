package survival

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The refused-body tests: a client that sends a body too large, whole,
// before it reads, as curl and Python's requests do. The server closes
// the connection after its 413; closing with the client's data unread
// makes the kernel send a reset, which can destroy the 413 before the
// client reads it. So sizeLimit reads on, up to a bound.

// readOnBytes and readOnTime are sizeLimit's bounds: how much of a
// refused body the server reads and throws away after its 413, and for
// how long, at most.
const (
	readOnBytes = 64 << 20
	readOnTime  = 5 * time.Second
)

// chunk is 64 KiB of a chunked body.
var chunk = "10000\r\n" + strings.Repeat("x", 64<<10) + "\r\n"

// dial connects to addr, with every read and write bounded by WaitLimit.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, proc.WaitLimit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(proc.WaitLimit))
	return conn
}

// TestTooLargeNoReset: an 8 MiB body, sent whole before the client
// reads, chunked with Expect: 100-continue as curl sends it, or with its
// length declared as Python's requests sends it, gets the whole 413 and
// then the end of the connection, never a reset.
func TestTooLargeNoReset(t *testing.T) {
	raw := strings.Repeat("x", 64<<10)
	cases := []struct {
		name, head, piece, end string
	}{
		{"chunked", "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n", chunk, "0\r\n\r\n"},
		{"declared", "Content-Length: 8388608\r\n", raw, ""},
	}
	for _, step := range []string{"02-middleware", "03-server", "04-pipeline"} {
		for _, c := range cases {
			t.Run(step+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := proc.StartServer(t, step)
				conn := dial(t, s.Addr)
				br := bufio.NewReader(conn)
				io.WriteString(conn, "POST /echo HTTP/1.1\r\nHost: x\r\n"+c.head+"\r\n")
				if strings.Contains(c.head, "Expect") {
					if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 100 {
						t.Fatalf("want 100 Continue first, got %v %v", resp, err)
					}
				}
				for range 128 { // 8 MiB
					if _, err := io.WriteString(conn, c.piece); err != nil {
						t.Fatalf("sending the body: %v; want it read to its end", err)
					}
				}
				if _, err := io.WriteString(conn, c.end); err != nil {
					t.Fatalf("sending the body's end: %v", err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("reading the answer: %v; want the 413", err)
				}
				body, err := io.ReadAll(resp.Body)
				if err != nil || resp.StatusCode != 413 || string(body) != tooLargePlain {
					t.Fatalf("got %d %q %v, want the 413", resp.StatusCode, body, err)
				}
				if resp.ContentLength != int64(len(tooLargePlain)) {
					t.Errorf("the 413's Content-Length is %d, want %d (not chunked)", resp.ContentLength, len(tooLargePlain))
				}
				if _, err := br.ReadByte(); err != io.EOF {
					t.Errorf("after the 413: %v, want the connection closed (EOF)", err)
				}
			})
		}
	}
}

// TestRefusedBodyBound: a client that sends on and on after its 413 is
// read until readOnBytes (or readOnTime, on a machine too slow to read
// that much in time); then the server closes, and the client's writes
// fail. The client may send up to as much again first: what the
// sockets' buffers take in (Linux grows a receive buffer up to 32 MiB by
// default).
func TestRefusedBodyBound(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	conn := dial(t, s.Addr)
	start := time.Now()
	io.WriteString(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	sent := 0
	var err error
	for sent < 2*readOnBytes && err == nil {
		var n int
		n, err = io.WriteString(conn, chunk)
		sent += n
	}
	elapsed := time.Since(start).Round(time.Millisecond)
	switch {
	case err == nil:
		t.Fatalf("the server still reads after %d MiB, past its %d MiB bound", sent>>20, readOnBytes>>20)
	case !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE):
		t.Fatalf("after %d MiB and %v: %v; want the connection closed", sent>>20, elapsed, err)
	case sent < readOnBytes && elapsed < readOnTime:
		t.Errorf("the server closed after %d MiB and %v, before either bound (%d MiB, %v)",
			sent>>20, elapsed, readOnBytes>>20, readOnTime)
	}
	t.Logf("the server closed after %d MiB and %v", sent>>20, elapsed)
}
