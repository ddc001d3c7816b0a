package survival

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// TestIdleKeepAliveCrowd: 1,000 clients each make a request and keep
// their connection open, idle; the server holds them all, still serves a
// normal client at once, and lets go of every one when they close.
func TestIdleKeepAliveCrowd(t *testing.T) {
	t.Parallel()
	crowd := 1000
	// This process opens the crowd's connections, and the server as many:
	// stay under the limit on open files, which each has.
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		t.Fatal(err)
	}
	if room := int(limit.Cur) - 256; room < crowd {
		t.Logf("the limit on open files is %d: a crowd of %d, not %d", limit.Cur, room, crowd)
		crowd = room
	}
	s := proc.StartServer(t, "04-pipeline")
	idle := quiet(t, s)

	conns := make(chan net.Conn, crowd)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range crowd / 20 {
				conn, err := keepAlive(s.Addr)
				if err != nil {
					t.Error(err)
					return
				}
				conns <- conn
			}
		}()
	}
	wg.Wait()
	close(conns)
	defer func() {
		for conn := range conns {
			conn.Close()
		}
	}()
	if t.Failed() {
		return
	}
	held := len(conns)
	if _, sockets := openFiles(t, s); sockets-1 < held {
		t.Fatalf("the server holds %d connections, for %d idle clients: it did not keep them", sockets-1, held)
	}

	start := time.Now()
	client := proc.NewClient()
	status, body, err := proc.Get(client, s.URL("/"))
	client.CloseIdleConnections()
	if err != nil || status != 200 {
		t.Fatalf("a normal client, among %d idle connections: %d %q %v", held, status, body, err)
	}
	t.Logf("a normal client was served in %v among %d idle connections", time.Since(start), held)

	for conn := range conns {
		conn.Close()
	}
	if files := quiet(t, s); !slices.Equal(files, idle) {
		t.Errorf("open once the crowd has gone: %q; before: %q", files, idle)
	}
	stopServer(t, s)
}

// keepAlive opens a connection to addr, makes one request on it, reads the
// answer, and returns the connection, open and idle.
func keepAlive(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, proc.WaitLimit)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(proc.WaitLimit))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}
