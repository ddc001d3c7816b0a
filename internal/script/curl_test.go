package script

import (
	"bytes"
	"strings"
	"testing"
)

// TestMain lets the tests' commands run this test binary as curl, as the
// scripts do.
func TestMain(m *testing.M) { Main(m) }

// Fuzz targets for the harness's own parsing: curl's command line, and
// the normalising of what curl prints. .ci/run fuzzes each for a fixed
// number of inputs; go test runs their seeds, and any crasher committed
// under testdata/fuzz.

// FuzzCurlArgs feeds parseCurlArgs any command line (NUL separates the
// arguments): it may refuse one, in one line, but never panic.
func FuzzCurlArgs(f *testing.F) {
	for _, seed := range []string{
		"-s\x00http://127.0.0.1:1",
		"-si\x00-X\x00POST\x00-d\x00@body.txt\x00http://h/echo",
		"-H\x00X-A: b\x00--cacert\x00ca.pem\x00--max-time\x001.5\x00https://h",
		"--unix-socket\x00/tmp/s\x00-sfI\x00http://h",
		"-X", "-", "--", "-XPOST", "--max-time\x00-1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, err := parseCurlArgs(strings.Split(line, "\x00"))
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("a refusal in more than one line: %q", err)
		}
	})
}

// FuzzNormalize feeds normalize any output: it never panics, never keeps a
// Date header or a CRLF line ending, always ends in a newline, with
// TUTORIAL_IMPL=python reads any
// head as net/http writes one, and gives the same output when the input
// comes a byte at a time, as curl's output comes from a slow server.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nDate: Mon\r\nContent-Length: 2\r\n\r\nhi",
		"HTTP/1.0 404 Not Found\r\nServer: WSGIServer/0.2\r\nx-b: 1\r\nContent-Length: 0\r\nA: 2\r\n\r\n",
		"HTTP/",
		"no head\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}", // a body with no newline
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, out []byte, twin bool) {
		if twin {
			t.Setenv("TUTORIAL_IMPL", "python")
		}
		got := normalize(out)
		var piecewise bytes.Buffer
		n := &normalizer{w: &piecewise}
		for i := range out {
			n.Write(out[i : i+1])
		}
		n.Close()
		if !bytes.Equal(piecewise.Bytes(), got) {
			t.Errorf("normalize(%q) a byte at a time = %q, all at once = %q", out, piecewise.Bytes(), got)
		}
		if bytes.Contains(got, []byte("\r\n")) && !bytes.Contains(out, []byte("\r\r")) {
			t.Errorf("normalize(%q) kept a CRLF: %q", out, got)
		}
		if len(got) > 0 && got[len(got)-1] != '\n' || len(out) > 0 && len(got) == 0 {
			t.Errorf("normalize(%q) = %q, which does not end in a newline", out, got)
		}
		if bytes.HasPrefix(out, []byte("HTTP/")) {
			head, _, _ := bytes.Cut(got, []byte("\n\n"))
			for _, line := range strings.Split(string(head), "\n") {
				if strings.HasPrefix(strings.ToLower(line), "date:") {
					t.Errorf("normalize(%q) kept a Date header: %q", out, got)
				}
			}
		}
	})
}
