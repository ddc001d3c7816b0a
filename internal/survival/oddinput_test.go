package survival

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wsgi-to-go/internal/proc"
)

// The odd-input tests: request targets and values that are legal, or
// nearly, but that a handler written for the usual case may not expect.

// uuid matches a request id as requestID makes it.
var uuid = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestOddTargets: the request targets that are not a plain path. In step
// 03 each gets a request id and an access line, OPTIONS * too (net/http
// would answer that one itself, unseen); the mux answers * with 400. In
// step 04 an absolute-form target does too, but * is outside every
// pipeline: the urlmap finds no app for it and answers 404 itself, as
// Paste's urlmap does, with no request id and no access line
// (docs/survival.md says why), unless the config names a not_found_app
// pipeline, which then gives it both.
func TestOddTargets(t *testing.T) {
	type target struct {
		request string // the request line
		status  int
		logged  string // the access line's method and path; "" if none
	}
	notFoundApp := filepath.Join(t.TempDir(), "not-found-app.ini")
	if err := os.WriteFile(notFoundApp, []byte(notFoundAppConfig), 0o666); err != nil {
		t.Fatal(err)
	}
	servers := []struct {
		name, step string
		args       []string
		targets    []target
	}{
		{"03-server", "03-server", nil, []target{
			{"GET * HTTP/1.1", 400, "method=GET path=*"},
			{"OPTIONS * HTTP/1.1", 400, "method=OPTIONS path=*"},
			{"GET http://example.com/ HTTP/1.1", 200, "method=GET path=/"},
		}},
		{"04-pipeline", "04-pipeline", nil, []target{
			{"GET * HTTP/1.1", 404, ""},
			{"OPTIONS * HTTP/1.1", 404, ""},
			{"GET http://example.com/?q=1 HTTP/1.1", 200, "method=GET path=/"},
			{"GET http://admin:s3cret@example.com/ HTTP/1.1", 200, "method=GET path=/"},
		}},
		{"04-pipeline with not_found_app", "04-pipeline", []string{"-config", notFoundApp}, []target{
			{"GET * HTTP/1.1", 400, "method=GET path=*"},
			{"OPTIONS * HTTP/1.1", 400, "method=OPTIONS path=*"},
			{"GET /nowhere HTTP/1.1", 404, "method=GET path=/nowhere"},
			{"GET http://example.com/v1/ HTTP/1.1", 200, "method=GET path=/v1/"},
		}},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			s := proc.StartServer(t, srv.step, srv.args...)
			var ids []string
			for _, tg := range srv.targets {
				responses, closed := exchange(t, s.Addr, tg.request+"\r\nHost: x\r\nConnection: close\r\n\r\n", 1)
				if len(responses) != 1 || responses[0].StatusCode != tg.status || !closed {
					t.Errorf("%s: got %v, want one %d", tg.request, statuses(responses), tg.status)
					continue
				}
				id := responses[0].Header.Get("X-Openstack-Request-Id")
				switch {
				case tg.logged == "" && id != "":
					t.Errorf("%s: a request id, %s, from outside every pipeline", tg.request, id)
				case tg.logged != "" && !uuid.MatchString(id):
					t.Errorf("%s: request id %q, want a fresh req-UUID", tg.request, id)
				case tg.logged != "":
					ids = append(ids, id)
				}
			}
			log := stopServer(t, s)
			if strings.Contains(log, "s3cret") || strings.Contains(log, "example.com") {
				t.Errorf("an absolute-form target's host, user or password reached the log:\n%s", log)
			}
			for _, tg := range srv.targets {
				if tg.logged != "" && !strings.Contains(log, "msg=request "+tg.logged+" ") {
					t.Errorf("%s: no access line with %q:\n%s", tg.request, tg.logged, log)
				}
			}
			for _, id := range ids {
				if !strings.Contains(log, "request_id="+id) {
					t.Errorf("request id %s is in no access line:\n%s", id, log)
				}
			}
			if got, want := strings.Count(log, "msg=request "), len(ids); got != want {
				t.Errorf("%d access lines, want %d:\n%s", got, want, log)
			}
		})
	}
}

// notFoundAppConfig mounts an app at /v1 only, and names a not_found_app
// pipeline, with a request id and an access log, for all the rest.
const notFoundAppConfig = `[composite:main]
use = egg:Paste#urlmap
/v1 = v1
not_found_app = not_found

[pipeline:v1]
pipeline = request_id accesslog greeting

[pipeline:not_found]
pipeline = request_id accesslog greeting

[filter:request_id]
use = egg:tutorial#request_id

[filter:accesslog]
use = egg:tutorial#accesslog

[app:greeting]
use = egg:tutorial#greeting
message = hello
`

// TestLongAndRawPaths: a path near the header limit is served (404) and
// logged; one over it gets net/http's 431 and a closed connection; a path
// of raw bytes that are not UTF-8 is answered and logged quoted, on a
// well-formed line.
func TestLongAndRawPaths(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	long := "/" + strings.Repeat("a", 12<<10)
	responses, _ := exchange(t, s.Addr, "GET "+long+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 404 {
		t.Errorf("a 12 KiB path: got %v, want 404", statuses(responses))
	}
	responses, closed := exchange(t, s.Addr, "GET /"+strings.Repeat("a", 64<<10)+" HTTP/1.1\r\nHost: x\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 431 || !closed {
		t.Errorf("a 64 KiB path: got %v, closed: %v; want one 431, then the connection closed", statuses(responses), closed)
	}
	responses, _ = exchange(t, s.Addr, "GET /caf\xe9/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 404 {
		t.Errorf("a path of raw bytes: got %v, want 404", statuses(responses))
	}

	log := stopServer(t, s)
	if !strings.Contains(log, "path="+long+" ") {
		t.Errorf("the 12 KiB path was not logged")
	}
	if !strings.Contains(log, `path="/caf\xe9/\xff\xfe"`) {
		t.Errorf("the raw path was not logged quoted:\n%s", log)
	}
	for i, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		if !logLine.MatchString(line) {
			t.Errorf("stderr line %d is not a well-formed line: %.200q", i+1, line)
		}
	}
}

// TestSleepDurations: /sleep refuses every duration it cannot honour with
// the same 400, and goes on serving.
func TestSleepDurations(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	client := proc.NewClient()
	for _, d := range []string{"-1s", "-0.5ms", "soon", "", "1", "5 s", "1h", "30.000001s",
		"9999999999999999999s", "NaN", "1e3s", "%00", "0x10s", strings.Repeat("9", 1000) + "s"} {
		status, body, err := proc.Get(client, s.URL("/sleep?d="+url.QueryEscape(d)))
		if err != nil || status != http.StatusBadRequest || body != "400 d must be a duration from 0s to 30s, such as d=5s\n" {
			t.Errorf("d=%q: got %d %q %v, want the 400", d, status, body, err)
		}
	}
	if status, body, err := proc.Get(client, s.URL("/sleep?d=0s")); err != nil || status != 200 || body != "slept 0s\n" {
		t.Errorf("d=0s: got %d %q %v", status, body, err)
	}
}

// TestClientRequestIDIgnored: a request id the client sends is neither
// echoed nor logged: each request gets a fresh one of the server's.
func TestClientRequestIDIgnored(t *testing.T) {
	for _, step := range []string{"02-middleware", "03-server", "04-pipeline"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			s := proc.StartServer(t, step)
			req, _ := http.NewRequest("GET", s.URL("/"), nil)
			req.Header.Set("X-Openstack-Request-Id", "req-00000000-0000-4000-8000-000000000000")
			resp, err := proc.NewClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			id := resp.Header.Get("X-Openstack-Request-Id")
			if !uuid.MatchString(id) || id == req.Header.Get("X-Openstack-Request-Id") {
				t.Errorf("request id %q: want a fresh one, not the client's", id)
			}
			s.WaitForLog(t, fmt.Sprintf("request_id=%s\n", id), 1)
			if strings.Contains(s.Stderr.String(), "000000000000") {
				t.Errorf("the client's request id reached the log:\n%s", s.Stderr)
			}
		})
	}
}
