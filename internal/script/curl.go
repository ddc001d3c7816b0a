package script

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"wsgi-to-go/internal/proc"
)

// CurlMain is the scripts' curl: a Go program that prints what curl prints
// for the flags the tutorial uses, with curl's exit statuses. With
// TUTORIAL_CURL=real it runs the system's curl instead. Either way its
// output is normalised the same way (no Date header, LF line endings),
// and printed as it comes, as curl prints it: a response's head as soon
// as it arrives, so a reader can see that a slow request is in flight.
func CurlMain() {
	out := &normalizer{w: os.Stdout}
	var code int
	if os.Getenv("TUTORIAL_CURL") == "real" {
		code = realCurl(os.Args[1:], out)
	} else {
		code = Curl(os.Args[1:], out, os.Stderr)
	}
	out.Close()
	os.Exit(code)
}

// curl's exit statuses, as its manual numbers them.
const (
	curlOK          = 0
	curlConnect     = 7
	curlHTTPError   = 22 // --fail, and the status was 400 or more
	curlTimeout     = 28 // --max-time, or the harness's own bound
	curlEmptyReply  = 52 // the server closed the connection without answering
	curlRecvError   = 56 // the connection broke while reading the answer
	curlPartial     = 18 // the body ended before its Content-Length
	curlCertProblem = 60 // the server's certificate is not trusted
	curlBadOption   = 2  // an option curl does not know
	curlMaxTime     = 30 * time.Second
)

// curlArgs are the flags the tutorial's scripts use.
type curlArgs struct {
	silent, include, fail bool
	head                  bool // -I: HEAD, and print the headers only
	method                string
	headers               []string
	data                  *string // -d; nil when absent
	cacert                string
	unixSocket            string // --unix-socket: connect there, whatever the URL's host
	maxTime               time.Duration
	url                   string
}

// parseCurlArgs reads curl's flags: short ones may be combined (-si), and
// a value may follow in the same word (-XPOST) or the next.
func parseCurlArgs(args []string) (curlArgs, error) {
	c := curlArgs{maxTime: curlMaxTime}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %q: requires parameter", arg)
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case arg == "--silent":
			c.silent = true
		case arg == "--include":
			c.include = true
		case arg == "--head":
			c.head, c.include = true, true
		case arg == "--fail":
			c.fail = true
		case arg == "--request":
			c.method, err = value()
		case arg == "--header":
			var h string
			h, err = value()
			c.headers = append(c.headers, h)
		case arg == "--data" || arg == "--data-binary":
			var d string
			d, err = value()
			c.data = &d
		case arg == "--cacert":
			c.cacert, err = value()
		case arg == "--unix-socket":
			c.unixSocket, err = value()
		case arg == "--max-time":
			var s string
			if s, err = value(); err == nil {
				c.maxTime, err = time.ParseDuration(s + "s")
			}
		case strings.HasPrefix(arg, "--"):
			return c, fmt.Errorf("option %q: is unknown", arg)
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			for j := 1; j < len(arg); j++ {
				switch arg[j] {
				case 's':
					c.silent = true
				case 'i':
					c.include = true
				case 'f':
					c.fail = true
				case 'I':
					c.head, c.include = true, true
				case 'X', 'H', 'd':
					v := arg[j+1:]
					if v == "" {
						if v, err = value(); err != nil {
							return c, err
						}
					}
					switch arg[j] {
					case 'X':
						c.method = v
					case 'H':
						c.headers = append(c.headers, v)
					case 'd':
						c.data = &v
					}
					j = len(arg)
				default:
					return c, fmt.Errorf("option %q: is unknown", "-"+arg[j:j+1])
				}
			}
		default:
			if c.url != "" {
				return c, fmt.Errorf("only one URL, please: %q and %q", c.url, arg)
			}
			c.url = arg
		}
		if err != nil {
			return c, err
		}
	}
	if c.url == "" {
		return c, errors.New("no URL specified")
	}
	return c, nil
}

// Curl does what curl does for args, writing the response to stdout and
// curl's messages to stderr, and returns curl's exit status.
func Curl(args []string, stdout, stderr io.Writer) int {
	c, err := parseCurlArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "curl: %v\n", err)
		return curlBadOption
	}
	fail := func(code int, format string, a ...any) int {
		if !c.silent {
			fmt.Fprintf(stderr, "curl: (%d) %s\n", code, fmt.Sprintf(format, a...))
		}
		return code
	}
	if !strings.Contains(c.url, "://") {
		c.url = "http://" + c.url // as curl does
	}
	u, err := url.Parse(c.url)
	if err != nil {
		return fail(3, "URL rejected: %v", err)
	}

	method, body := "GET", io.Reader(nil)
	if c.data != nil {
		method = "POST"
		body = strings.NewReader(*c.data)
		if d, ok := strings.CutPrefix(*c.data, "@"); ok {
			data, err := os.ReadFile(d)
			if err != nil {
				return fail(26, "Failed to open/read local data from file/application")
			}
			// -d @file drops the file's line breaks, as curl does.
			data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r"), nil), []byte("\n"), nil)
			body = bytes.NewReader(data)
		}
	}
	if c.head {
		method = "HEAD"
	}
	if c.method != "" {
		method = c.method
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.maxTime)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fail(3, "URL rejected: %v", err)
	}
	req.Header.Set("User-Agent", "curl (the tutorial's harness)")
	req.Header.Set("Accept", "*/*")
	if c.data != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var headers []string
	for _, h := range c.headers {
		file, ok := strings.CutPrefix(h, "@")
		if !ok {
			headers = append(headers, h)
			continue
		}
		data, err := os.ReadFile(file) // -H @file: a header a line, as curl reads it
		if err != nil {
			return fail(26, "Failed to open %s", file)
		}
		headers = append(headers, strings.Split(strings.TrimRight(string(data), "\r\n"), "\n")...)
	}
	user := http.Header{} // -H replaces a default header, as curl's does
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			continue // curl ignores a header without a colon
		}
		value = strings.TrimSpace(value)
		if strings.EqualFold(name, "Transfer-Encoding") && value == "chunked" {
			req.ContentLength = -1 // send the body in chunks, its length unsaid
			req.TransferEncoding = []string{"chunked"}
			continue
		}
		if strings.EqualFold(name, "Host") {
			req.Host = value
			continue
		}
		user.Add(name, value)
	}
	for name, values := range user {
		req.Header[name] = values
	}

	tlsConfig := &tls.Config{ServerName: u.Hostname()}
	if c.cacert != "" {
		pem, err := os.ReadFile(c.cacert)
		if err != nil {
			return fail(77, "error setting certificate file: %s", c.cacert)
		}
		tlsConfig.RootCAs = x509.NewCertPool()
		tlsConfig.RootCAs.AppendCertsFromPEM(pem)
	}
	// The transport records the bytes it reads, so -i prints the headers
	// as the server sent them, in its order, not as a sorted map.
	wire := &proc.LockedBuffer{}
	dialer := &net.Dialer{}
	transport := &http.Transport{
		DisableCompression: true,
		Proxy:              nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if c.unixSocket != "" {
				network, addr = "unix", c.unixSocket
			}
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return recordingConn{conn, wire}, nil
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tconn := tls.Client(conn, tlsConfig)
			if err := tconn.HandshakeContext(ctx); err != nil {
				conn.Close()
				return nil, err
			}
			return recordingConn{tconn, wire}, nil
		},
	}
	client := &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	defer transport.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		var certErr *tls.CertificateVerificationError
		var opErr *net.OpError
		switch {
		case errors.As(err, &opErr) && opErr.Op == "dial":
			return fail(curlConnect, "Failed to connect to %s port %s: Connection refused", u.Hostname(), u.Port())
		case errors.As(err, &certErr):
			return fail(curlCertProblem, "SSL certificate problem: %v", certErr.Err)
		case errors.Is(err, context.DeadlineExceeded):
			return fail(curlTimeout, "Operation timed out after %v", c.maxTime)
		case wire.String() == "":
			return fail(curlEmptyReply, "Empty reply from server")
		default:
			return fail(curlRecvError, "Recv failure: %v", err)
		}
	}
	defer resp.Body.Close()

	if c.include {
		stdout.Write(headerBlock([]byte(wire.String())))
	}
	if c.fail && resp.StatusCode >= 400 {
		// curl prints the head, when asked, but not the error's body.
		return fail(curlHTTPError, "The requested URL returned error: %d", resp.StatusCode)
	}
	_, readErr := io.Copy(stdout, resp.Body)
	switch {
	case readErr == nil:
		return curlOK
	case errors.Is(readErr, context.DeadlineExceeded):
		return fail(curlTimeout, "Operation timed out after %v", c.maxTime)
	case errors.Is(readErr, io.ErrUnexpectedEOF):
		return fail(curlPartial, "transfer closed with outstanding read data remaining")
	default:
		return fail(curlRecvError, "Recv failure: %v", readErr)
	}
}

// recordingConn copies every byte read from the connection into a buffer.
type recordingConn struct {
	net.Conn
	read *proc.LockedBuffer
}

func (c recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Write(p[:n])
	return n, err
}

// realCurl runs the system's curl with args: the first curl on PATH that
// is not this harness's own. It returns curl's exit status.
func realCurl(args []string, stdout io.Writer) int {
	self, _ := os.Executable()
	var path string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, "curl")
		if _, err := os.Stat(p); err == nil && filepath.Dir(p) != filepath.Dir(self) {
			path = p
			break
		}
	}
	if path == "" {
		fmt.Fprintln(os.Stderr, "curl: TUTORIAL_CURL=real, but no curl is installed")
		return curlBadOption
	}
	// On a terminal, curl prints a response's head as it comes; into a pipe,
	// it holds it until the body comes, even with --no-buffer. stdbuf -o0,
	// where there is one (GNU coreutils), makes it print as on a terminal.
	argv := append([]string{path, "--max-time", "30", "--no-buffer"}, args...)
	if stdbuf, err := exec.LookPath("stdbuf"); err == nil {
		argv = append([]string{stdbuf, "-o0"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "curl: %v\n", err)
		return curlBadOption
	}
	return curlOK
}
