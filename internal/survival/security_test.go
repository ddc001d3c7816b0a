package survival

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"wsgi-to-go/internal/proc"
)

// The security tests: what a client sends cannot forge or reach a log
// line, secrets stay out of the logs, servers listen on loopback unless
// told otherwise, and no answer carries a stack trace (TestPanicStorm and
// TestRandomRequests check that one).

// logLine is one line of a step's stderr: the line that says where it
// listens, a shutdown line, or a slog text record whose every value is a
// bare word or a quoted string, so no client text can end it or start
// another.
var logLine = regexp.MustCompile(`^(listening on \S+|\w+: shutting down, waiting up to \S+ for requests in flight: \d+|shutdown complete|` +
	`time=\S+ level=(INFO|WARN|ERROR) msg=\w+( \w+=([^\s"=]+|"([^"\\]|\\.)*"))*)$`)

// hostile are values a client might send to forge a log line or to see
// its text logged: a path, a method, and header values.
var hostile = struct {
	paths   []string
	methods []string
	headers map[string]string
}{
	paths: []string{
		"/x%0Atime=2026-01-01T00:00:00Z%20level=ERROR%20msg=forged",
		"/%22%20status=200%20forged=%22",
		"/%0D%0Ax",
		"/%1B[31mred",
	},
	methods: []string{"FORGED"},
	headers: map[string]string{
		"User-Agent":             `evil" level=ERROR msg=forged-ua`,
		"X-Openstack-Request-Id": `req-forged" msg=forged-id`,
		"X-Auth-Token":           "client-token-never-logged",
		"Referer":                "level=ERROR msg=forged-referer",
	},
}

// TestLogInjection sends hostile paths, methods and headers to each step
// with an access log, then reads every line the step wrote: each must be
// a whole, well-formed line, one per request, and no header value may
// appear in the log at all.
func TestLogInjection(t *testing.T) {
	for _, step := range []string{"02-middleware", "03-server", "04-pipeline"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			s := proc.StartServer(t, step)
			client := proc.NewClient()
			sent := 0
			for _, path := range hostile.paths {
				for _, method := range append([]string{"GET"}, hostile.methods...) {
					req, err := http.NewRequest(method, s.URL(path), nil)
					if err != nil {
						t.Fatal(err)
					}
					for name, value := range hostile.headers {
						req.Header.Set(name, value)
					}
					if _, _, err := proc.Do(client, req); err != nil {
						t.Fatalf("%s %s: %v", method, path, err)
					}
					sent++
				}
			}
			s.WaitForLog(t, "msg=request ", sent)
			log := s.Stderr.String()
			for i, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
				if !logLine.MatchString(line) {
					t.Errorf("stderr line %d is not a well-formed line: %q", i+1, line)
				}
			}
			if got := strings.Count(log, "msg=request "); got != sent {
				t.Errorf("%d access log lines for %d requests", got, sent)
			}
			for name, value := range hostile.headers {
				if strings.Contains(log, value) || strings.Contains(log, strings.TrimPrefix(value, "req-")) {
					t.Errorf("the %s header's value reached the log:\n%s", name, log)
				}
			}
			for _, forged := range []string{"forged-ua", "forged-id", "forged-referer", "client-token"} {
				if strings.Contains(log, forged) {
					t.Errorf("%q reached the log", forged)
				}
			}
		})
	}
}

// TestTokenNeverLogged: authtoken's configured token, and the tokens
// clients send, right or wrong, appear neither in the log nor in -print.
func TestTokenNeverLogged(t *testing.T) {
	t.Parallel()
	config := filepath.Join(t.TempDir(), "auth.ini")
	// greetingConfig's pipeline, with authtoken in front of the app.
	ini := strings.Replace(greetingConfig("hello"), "faultwrap greeting", "faultwrap authtoken greeting", 1) +
		"\n[filter:authtoken]\nuse = egg:tutorial#authtoken\ntoken = configured-s3cret\n"
	if err := os.WriteFile(config, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	s := proc.StartServer(t, "04-pipeline", "-config", config)
	client := proc.NewClient()
	want := map[string]int{"configured-s3cret": 200, "wrong-s3cret": 401, "": 401}
	for token, status := range want {
		req, _ := http.NewRequest("GET", s.URL("/"), nil)
		if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		if got, body, err := proc.Do(client, req); err != nil || got != status {
			t.Errorf("token %q: got %d %q %v, want %d", token, got, body, err, status)
		}
	}
	s.Signal(t, syscall.SIGINT)
	s.ExitStatus(t)
	if log := s.Stderr.String(); strings.Contains(log, "s3cret") {
		t.Errorf("a token reached the log:\n%s", log)
	}

	out, status := proc.RunProgram(t, "04-pipeline", "-config", config, "-print")
	if status != 0 || strings.Contains(out, "s3cret") || !strings.Contains(out, "token = <hidden>") {
		t.Errorf("-print must show the token as <hidden>: exit status %d\n%s", status, out)
	}
}

// addrDefault finds the -addr default in a step's -h output.
var addrDefault = regexp.MustCompile(`-addr host:port\n\s+listen on host:port \(default "([^"]+)"\)`)

// TestDefaultAddressIsLoopback: with no -addr, every step listens on a
// name that resolves to loopback addresses only, so a learner's server is
// not open to the network until they ask for it.
func TestDefaultAddressIsLoopback(t *testing.T) {
	t.Parallel()
	_, steps := proc.Steps(t)
	for _, step := range steps {
		out, _ := proc.RunProgram(t, step, "-h")
		m := addrDefault.FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s -h names no -addr default:\n%s", step, out)
			continue
		}
		host, _, err := net.SplitHostPort(m[1])
		if err != nil {
			t.Errorf("%s: default -addr %q: %v", step, m[1], err)
			continue
		}
		ips, err := net.LookupIP(host)
		if err != nil || len(ips) == 0 {
			t.Errorf("%s: default -addr host %q does not resolve: %v", step, host, err)
		}
		for _, ip := range ips {
			if !ip.IsLoopback() {
				t.Errorf("%s: default -addr %q resolves to %v, which is not loopback", step, m[1], ip)
			}
		}
	}
}

// TestTokenNeverInErrors: a config that fails to load, beside a token,
// or with the token's own line at fault, names the line and the key,
// never the token: at start-up, on a reload, and in the 401 a client
// gets.
func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	good := strings.Replace(greetingConfig("hello"), "faultwrap greeting", "faultwrap authtoken greeting", 1) +
		"\n[filter:authtoken]\nuse = egg:tutorial#authtoken\ntoken = configured-s3cret\n"
	broken := map[string]string{
		"a misspelt option beside it": good + "tokne = configured-s3cret\n",
		"the token twice":             good + "token = configured-s3cret\n",
		"a broken pipeline":           strings.Replace(good, "authtoken greeting", "authtoken", 1),
		"a factory with no Go twin":   strings.Replace(good, "egg:tutorial#authtoken", "egg:tutorial#nothing", 1),
		"a lone % in the token":       strings.Replace(good, "configured-s3cret", "configured-s3cret%x", 1),
		"%(name)s in the token, naming nothing": strings.Replace(good, "configured-s3cret",
			"configured-s3cret%(nothing)s", 1),
		// Another key takes the token in, and the mistake is after the %:
		// the message must hide the token's tail too.
		"a lone % in the token, taken in by another key": strings.Replace(good, "token = configured-s3cret",
			"note = %(token)s\ntoken = configured-s3cret%s3cret-tail", 1),
		"%(name)s in the token, taken in by another key, naming nothing": strings.Replace(good, "token = configured-s3cret",
			"note = %(token)s\ntoken = configured-s3cret%(s3cret_tail)s", 1),
		"a bad %(name)s in the token, taken in by another key": strings.Replace(good, "token = configured-s3cret",
			"note = %(token)s\ntoken = configured-s3cret%(s3cret_tail", 1),
	}
	config := filepath.Join(t.TempDir(), "auth.ini")
	for name, ini := range broken {
		if err := os.WriteFile(config, []byte(ini), 0o600); err != nil {
			t.Fatal(err)
		}
		out, status := proc.RunProgram(t, "04-pipeline", "-config", config, "-addr", "127.0.0.1:0")
		if status == 0 || strings.Contains(out, "s3cret") || !strings.Contains(out, config+":") {
			t.Errorf("%s, at start-up: want FILE:LINE and no token: exit status %d\n%s", name, status, out)
		}
	}

	writeFileAtomically(t, config, good)
	s := proc.StartServer(t, "04-pipeline", "-config", config)
	req, _ := http.NewRequest("GET", s.URL("/"), nil)
	req.Header.Set("X-Auth-Token", "wrong-s3cret")
	if status, body, err := proc.Do(proc.NewClient(), req); err != nil || status != 401 || strings.Contains(body, "s3cret") {
		t.Errorf("a wrong token: %d %q %v, want a 401 that names no token", status, body, err)
	}
	reloads := 0
	for _, ini := range broken {
		writeFileAtomically(t, config, ini)
		s.Signal(t, syscall.SIGHUP)
		reloads++
		s.WaitForLog(t, "hangup: reload failed", reloads)
	}
	if log := stopServer(t, s); strings.Contains(log, "s3cret") || strings.Count(log, "reload failed") != len(broken) {
		t.Errorf("the reloads' errors: want %d, and no token:\n%s", len(broken), log)
	}
}
