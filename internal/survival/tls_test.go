package survival

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The TLS tests: certificates that are wrong, protocol versions that are
// too old, and a client that starts a handshake and stalls.

// certs writes a self-signed certificate for loopback and its key, valid
// from notBefore to notAfter, into a new folder, and returns it.
func certs(t *testing.T, notBefore, notAfter time.Time) string {
	t.Helper()
	dir := t.TempDir()
	if err := proc.WriteCerts(dir, notBefore, notAfter); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tlsClient returns a client that trusts the certificate in dir, and
// speaks TLS versions min to max.
func tlsClient(t *testing.T, dir string, min, max uint16) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{
		Timeout: proc.WaitLimit,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pool, MinVersion: min, MaxVersion: max,
		}},
	}
}

// TestTLSKeyNotMatchingCertificate: a key that is not the certificate's
// is one line and exit status 1, before anything listens.
func TestTLSKeyNotMatchingCertificate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a, b := certs(t, now.Add(-time.Hour), now.Add(time.Hour)), certs(t, now.Add(-time.Hour), now.Add(time.Hour))
	for _, step := range []string{"03-server", "04-pipeline"} {
		out, status := proc.RunProgram(t, step, "-addr", "127.0.0.1:0",
			"-tls-cert", filepath.Join(a, "cert.pem"), "-tls-key", filepath.Join(b, "key.pem"))
		want := step + ": loading -tls-cert and -tls-key: tls: private key does not match public key\n"
		if status != 1 || out != want {
			t.Errorf("%s: exit status %d and %q, want 1 and %q", step, status, out, want)
		}
	}
}

// TestTLSExpiredCertificate: a certificate that has expired still loads,
// but the server warns, in one line, when it starts; clients refuse it.
func TestTLSExpiredCertificate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	dir := certs(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	s := proc.StartServer(t, "03-server",
		"-tls-cert", filepath.Join(dir, "cert.pem"), "-tls-key", filepath.Join(dir, "key.pem"))
	warning := "03-server: warning: -tls-cert is valid from "
	if log := s.Stderr.String(); !strings.HasPrefix(log, warning) || !strings.Contains(log, ", not now: clients will refuse it\nlistening on https://") {
		t.Errorf("no one-line warning before it listens:\n%s", log)
	}
	_, err := tlsClient(t, dir, tls.VersionTLS12, 0).Get("https://" + s.Addr + "/")
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("a client got %v, want the certificate refused as expired", err)
	}
	stopServer(t, s)
}

// TestTLSOldVersionsRefused: TLS 1.0 and 1.1 handshakes fail; 1.2 and 1.3
// succeed.
func TestTLSOldVersionsRefused(t *testing.T) {
	t.Parallel()
	now := time.Now()
	dir := certs(t, now.Add(-time.Hour), now.Add(time.Hour))
	s := proc.StartServer(t, "04-pipeline",
		"-tls-cert", filepath.Join(dir, "cert.pem"), "-tls-key", filepath.Join(dir, "key.pem"))
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		_, err := tlsClient(t, dir, v, v).Get("https://" + s.Addr + "/")
		if err == nil || !strings.Contains(err.Error(), "protocol version") {
			t.Errorf("%s: got %v, want the handshake refused", tls.VersionName(v), err)
		}
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		resp, err := tlsClient(t, dir, v, v).Get("https://" + s.Addr + "/")
		if err != nil {
			t.Errorf("%s: %v", tls.VersionName(v), err)
			continue
		}
		resp.Body.Close()
		if resp.TLS.Version != v || resp.StatusCode != 200 {
			t.Errorf("%s: got %s and %d", tls.VersionName(v), tls.VersionName(resp.TLS.Version), resp.StatusCode)
		}
	}
	stopServer(t, s)
}

// TestTLSHandshakeStalled: clients that open a connection and send half a
// handshake, or nothing, are cut when the handshake's deadline passes
// (net/http gives it the shortest of the server's timeouts: here the
// read-header timeout), while a normal client is served meanwhile.
func TestTLSHandshakeStalled(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	now := time.Now()
	dir := certs(t, now.Add(-time.Hour), now.Add(time.Hour))
	s := proc.StartServer(t, "04-pipeline", "-read-header-timeout", timeout.String(),
		"-tls-cert", filepath.Join(dir, "cert.pem"), "-tls-key", filepath.Join(dir, "key.pem"))
	stalls := map[string][]byte{
		"nothing":                    nil,
		"half a TLS record's header": {0x16, 0x03},
	}
	for name, sent := range stalls {
		t.Run(name, func(t *testing.T) {
			start := time.Now() // before the dial: the server's clock starts at its accept
			conn, err := net.DialTimeout("tcp", s.Addr, proc.WaitLimit)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.Write(sent)
			resp, err := tlsClient(t, dir, tls.VersionTLS12, 0).Get("https://" + s.Addr + "/")
			if err != nil {
				t.Fatalf("a normal client, while one stalls: %v", err)
			}
			resp.Body.Close()
			conn.SetReadDeadline(start.Add(timeout + proc.WaitLimit))
			_, err = io.ReadAll(conn) // returns when the server hangs up
			if elapsed := time.Since(start); err != nil || elapsed < timeout*9/10 {
				t.Errorf("cut after %v (%v), want the server to hang up after the %v timeout", elapsed, err, timeout)
			}
		})
	}
	log := stopServer(t, s)
	if !strings.Contains(log, "TLS handshake error") {
		t.Errorf("the cut handshakes were not logged:\n%s", log)
	}
}

// TestTooLargeOverHTTP2: over HTTP/2 a refused 8 MiB body, declared or
// not, gets its whole 413 at once. A stream is reset alone, never the
// connection, so sizeLimit does not read on, and the answer does not
// wait out readOnTime for a body the client has stopped sending.
func TestTooLargeOverHTTP2(t *testing.T) {
	t.Parallel()
	now := time.Now()
	dir := certs(t, now.Add(-time.Hour), now.Add(time.Hour))
	s := proc.StartServer(t, "04-pipeline",
		"-tls-cert", filepath.Join(dir, "cert.pem"), "-tls-key", filepath.Join(dir, "key.pem"))
	client := tlsClient(t, dir, tls.VersionTLS12, tls.VersionTLS13)
	client.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	for _, chunked := range []bool{false, true} {
		body := io.Reader(strings.NewReader(strings.Repeat("x", 8<<20)))
		if chunked {
			body = io.MultiReader(body) // hides the length
		}
		start := time.Now()
		resp, err := client.Post("https://"+s.Addr+"/echo", "application/octet-stream", body)
		if err != nil {
			t.Fatalf("chunked %v: %v", chunked, err)
		}
		text, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.ProtoMajor != 2 || resp.StatusCode != 413 || string(text) != tooLargePlain {
			t.Errorf("chunked %v: got HTTP/%d %d %q %v, want HTTP/2's whole 413", chunked, resp.ProtoMajor, resp.StatusCode, text, err)
		}
		if took >= readOnTime {
			t.Errorf("chunked %v: the 413 took %v, as long as sizeLimit reads on (%v): HTTP/2 needs none", chunked, took.Round(time.Millisecond), readOnTime)
		}
	}
	stopServer(t, s)
}
