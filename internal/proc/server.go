package proc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The live-server helpers: a step's program started for a test, and a
// client to talk to it. The tests in internal/survival use them.

// Server is a step's program running for a test, on a free loopback port.
type Server struct {
	Addr   string        // where it listens: host:port
	Cmd    *exec.Cmd     // the process
	Stderr *LockedBuffer // what it has written to stderr so far
	exited chan struct{} // closed once the process has ended
}

// LockedBuffer is a bytes.Buffer that a process writes while a test reads.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartServer starts step's program on a loopback port the kernel
// chooses, with args after -addr, from the repository's root, as a
// learner runs it, and returns once the program says where it listens,
// with Addr set to that. The process is killed when the test ends, if it
// is still running.
func StartServer(t *testing.T, step string, args ...string) *Server {
	t.Helper()
	return StartServerWith(t, nil, step, args...)
}

// StartServerWith is StartServer, calling setup, if not nil, on the
// Server just before its command starts: to listen on another address
// (its command's argument after -addr; port 0 still lets the kernel
// choose), or to run as another user.
func StartServerWith(t *testing.T, setup func(*Server), step string, args ...string) *Server {
	t.Helper()
	s := StartProgram(t, setup, step, args...)
	// Every step says "listening on http://ADDR" once its listener is open.
	var m []string
	if !PollFor(func() bool {
		m = listeningOn.FindStringSubmatch(s.Stderr.String())
		return m != nil || s.HasExited()
	}) || m == nil {
		t.Fatalf("%s did not say where it listens:\n%s", step, s.Stderr)
	}
	s.Addr = m[1]
	return s
}

// StartProgram is StartServerWith without the wait: it returns as soon as
// the process has started, with Addr unset, for a test that acts before
// the program listens.
func StartProgram(t *testing.T, setup func(*Server), step string, args ...string) *Server {
	t.Helper()
	dir, _ := Steps(t)
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	// Port 0, not FreeAddr's: a port found free can be taken by another
	// test's server before this one listens on it, and the readiness check
	// below would then find that other server.
	s := &Server{Stderr: &LockedBuffer{}, exited: make(chan struct{})}
	s.Cmd = exec.Command(filepath.Join(dir, step), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	s.Cmd.Dir = root
	s.Cmd.Env = append(os.Environ(), RaceEnv)
	s.Cmd.Stderr = s.Stderr
	if setup != nil {
		setup(s)
	}
	if err := s.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.Cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.Cmd.Process.Kill()
		<-s.exited
	})
	return s
}

// listeningOn matches the line where a step says where it listens.
var listeningOn = regexp.MustCompile(`(?m)^listening on https?://(\S+)$`)

// RunProgram runs step's program with args, from the repository's root,
// to its end, and returns what it wrote to stdout and stderr together,
// and its exit status. A program still running after WaitLimit, where it
// was meant to exit, is an error of the test, and status -1.
func RunProgram(t *testing.T, step string, args ...string) (output string, status int) {
	t.Helper()
	dir, _ := Steps(t)
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), WaitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, step), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), RaceEnv)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("%s %q still ran after %v: it was meant to exit, and listened somewhere", step, args, WaitLimit)
		return string(out), -1
	case err != nil && !errors.As(err, &exit):
		t.Fatalf("%s: %v", step, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// HasExited reports whether the server's process has ended.
func (s *Server) HasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Signal sends sig to the server.
func (s *Server) Signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := s.Cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// ExitStatus waits for the Server to exit, for WaitLimit at most, and
// returns its exit status.
func (s *Server) ExitStatus(t *testing.T) int {
	t.Helper()
	select {
	case <-s.exited:
		return s.Cmd.ProcessState.ExitCode()
	case <-time.After(WaitLimit):
		t.Fatalf("the Server still runs %v after it was told to stop:\n%s", WaitLimit, s.Stderr)
		return -1
	}
}

// WaitForLog waits until the server's stderr has text count times; it
// stops waiting if the server exits first, its stderr then complete.
func (s *Server) WaitForLog(t *testing.T, text string, count int) {
	t.Helper()
	has := func() bool { return strings.Count(s.Stderr.String(), text) >= count }
	PollFor(func() bool { return has() || s.HasExited() })
	if !has() {
		t.Fatalf("the server's stderr never had %q %d times (exited: %v):\n%s", text, count, s.HasExited(), s.Stderr)
	}
}

// URL returns the server's URL for path.
func (s *Server) URL(path string) string {
	return "http://" + s.Addr + path
}

// NewClient returns a client that keeps connections open for many
// workers, and gives up on a request after WaitLimit.
func NewClient() *http.Client {
	return &http.Client{
		Timeout:   WaitLimit,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
}

// Do sends req and returns its status and body.
func Do(client *http.Client, req *http.Request) (int, string, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// Get makes one GET and returns its status and body.
func Get(client *http.Client, url string) (int, string, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, "", err
	}
	return Do(client, req)
}

// SlowClient trickles a request's headers to addr a byte at a time, and
// returns nil once the server has cut it, if that came no sooner than
// timeout and within WaitLimit after it. Meanwhile it makes one normal
// request, and returns its status.
func SlowClient(addr string, timeout time.Duration) (normalStatus string, err error) {
	// The clock starts before the dial: the server may accept, and start
	// its own clock, before this goroutine runs again after the dial.
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, WaitLimit)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(start.Add(timeout + WaitLimit))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: slow\r\n")

	// While the slow client holds its connection, a normal one is served.
	resp, err := (&http.Client{Timeout: WaitLimit}).Get("http://" + addr + "/")
	if err != nil {
		return "", fmt.Errorf("a normal client, while the slow one waits: %v", err)
	}
	resp.Body.Close()

	// Trickle one header byte at a time; each read waits at most 50ms for
	// the server to hang up.
	buf := make([]byte, 1)
	for {
		if _, err := io.WriteString(conn, "x"); err != nil {
			break // the server has closed the connection
		}
		conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err := conn.Read(buf)
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			if time.Since(start) > timeout+WaitLimit {
				return "", fmt.Errorf("still connected after %v", time.Since(start))
			}
			continue
		}
		break // EOF or reset: the server hung up (it sends no response)
	}
	if elapsed := time.Since(start); elapsed < timeout*9/10 {
		return "", fmt.Errorf("cut after %v, before the %v timeout", elapsed, timeout)
	}
	return resp.Status, nil
}

// WriteCerts writes a self-signed certificate for localhost, 127.0.0.1
// and ::1 (cert.pem) and its key (key.pem) into dir, as generate_cert.go
// does, the certificate valid from notBefore to notAfter.
func WriteCerts(dir string, notBefore, notAfter time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	cert := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"tutorial test"}},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, cert, cert, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	for name, block := range map[string]*pem.Block{
		"cert.pem": {Type: "CERTIFICATE", Bytes: der},
		"key.pem":  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}
