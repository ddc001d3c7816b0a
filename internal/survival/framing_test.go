package survival

import (
	"strings"
	"testing"
	"time"

	"wsgi-to-go/internal/proc"
)

// The framing tests: requests whose length a proxy in front and the
// server could read differently (request smuggling), several requests on
// one connection, old and new protocol versions, and a body announced
// but not wanted. Each sends raw bytes on one connection and reads every
// response until the server closes it.

// smuggled is the request a framing attack hides behind the first: it
// must never be served.
const smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

// TestAmbiguousFramingClosesConnection: after a request whose body came
// chunked, with a Content-Length beside it or not, or any request on
// HTTP/1.0, the server answers with Connection: close and closes, so the
// request behind it on the connection is never served. net/http alone
// serves it (golang/go#80942).
func TestAmbiguousFramingClosesConnection(t *testing.T) {
	cases := []struct{ name, raw string }{
		{"Content-Length and Transfer-Encoding, the chunks longer",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n0\r\n\r\n" + smuggled},
		{"Content-Length and Transfer-Encoding, a proxy's body holding the next request",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"0\r\n\r\n" + smuggled},
		{"Content-Length and Transfer-Encoding, to a handler that panics",
			"GET /boom HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"0\r\n\r\n" + smuggled},
		{"Transfer-Encoding alone",
			"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled},
		{"Transfer-Encoding folded onto a second line (obs-fold)",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n" +
				"5\r\nhello\r\n0\r\n\r\n" + smuggled},
		{"HTTP/1.0, kept alive, with Content-Length and Transfer-Encoding",
			"POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"hello" + smuggled},
		{"HTTP/1.0, kept alive, with Transfer-Encoding alone, which net/http drops",
			"POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"0\r\n\r\n" + smuggled},
	}
	for _, step := range []string{"03-server", "04-pipeline"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			s := proc.StartServer(t, step)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					responses, closed := exchange(t, s.Addr, c.raw, 1)
					if len(responses) != 1 || !closed {
						t.Fatalf("got %d responses %v, connection closed: %v; want one response, then the connection closed\n%s",
							len(responses), statuses(responses), closed, s.Stderr)
					}
					if !responses[0].Close {
						t.Errorf("the response has no Connection: close: %v", responses[0].Header)
					}
				})
			}
			if log := stopServer(t, s); strings.Contains(log, "/smuggled") {
				t.Errorf("a smuggled request was served:\n%s", log)
			}
		})
	}
}

// TestDuplicateContentLength: two Content-Lengths that differ get net/http's
// 400 and a closed connection; two that agree are one length (RFC 9110
// §8.6 allows it), and the connection carries on.
func TestDuplicateContentLength(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")

	responses, closed := exchange(t, s.Addr,
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"+smuggled, 1)
	if len(responses) != 1 || responses[0].StatusCode != 400 || !closed {
		t.Errorf("differing lengths: got %v, closed: %v; want one 400, then the connection closed", statuses(responses), closed)
	}

	responses, closed = exchange(t, s.Addr,
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"+
			"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2)
	if len(responses) != 2 || bodyOf(responses[0]) != "hello" || responses[1].StatusCode != 200 || !closed {
		t.Errorf("agreeing lengths: got %v, closed: %v; want the echo, then the greeting", statuses(responses), closed)
	}
	if log := stopServer(t, s); strings.Contains(log, "/smuggled") {
		t.Errorf("a smuggled request was served:\n%s", log)
	}
}

// TestObsFold: a header folded onto a second line (obs-fold, which RFC
// 9112 §5.2 lets a server join with a space) is joined, and the request
// is served.
func TestObsFold(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	responses, closed := exchange(t, s.Addr,
		"GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 200 || !closed {
		t.Errorf("got %v, closed: %v; want one 200", statuses(responses), closed)
	}
}

// TestPipelining: three requests written at once, before any answer, get
// three answers in order, each with its own request id.
func TestPipelining(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	responses, closed := exchange(t, s.Addr,
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /sleep?d=1ms HTTP/1.1\r\nHost: x\r\n\r\n"+
			"GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3)
	if got := statuses(responses); len(got) != 3 || got[0] != 200 || got[1] != 200 || got[2] != 404 || !closed {
		t.Fatalf("got %v, closed: %v; want 200, 200, 404, then the connection closed", got, closed)
	}
	if body := bodyOf(responses[1]); body != "slept 1ms\n" {
		t.Errorf("the second answer is %q, want slept 1ms", body)
	}
	ids := map[string]bool{}
	for _, r := range responses {
		ids[r.Header.Get("X-Openstack-Request-Id")] = true
	}
	if len(ids) != 3 || ids[""] {
		t.Errorf("request ids %v: want three different ones", ids)
	}
}

// TestHTTP10: an HTTP/1.0 request is answered in HTTP/1.0 and its
// connection closed, even one that asks for keep-alive: net/http hides
// an HTTP/1.0 request's Transfer-Encoding, so closeAmbiguousFraming
// closes after every one.
func TestHTTP10(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	responses, closed := exchange(t, s.Addr, "GET / HTTP/1.0\r\n\r\n"+"GET /second HTTP/1.0\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].Proto != "HTTP/1.0" || responses[0].StatusCode != 200 || !closed {
		t.Errorf("got %v, closed: %v; want one HTTP/1.0 200, then the connection closed", statuses(responses), closed)
	}
	responses, closed = exchange(t, s.Addr,
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"+"GET /second HTTP/1.0\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 200 || !responses[0].Close || !closed {
		t.Errorf("keep-alive: got %v, closed: %v; want one 200 with Connection: close, then the connection closed", statuses(responses), closed)
	}
}

// TestUpgradeAttempts: a request to switch to HTTP/2 in clear text (h2c),
// by Upgrade or by the HTTP/2 preface, gets an HTTP/1.1 answer: the
// server speaks HTTP/2 only over TLS.
func TestUpgradeAttempts(t *testing.T) {
	for _, step := range []string{"03-server", "04-pipeline"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			s := proc.StartServer(t, step)
			responses, closed := exchange(t, s.Addr,
				"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"+
					"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n", 1)
			if len(responses) != 1 || responses[0].StatusCode != 200 || responses[0].Proto != "HTTP/1.1" || !closed {
				t.Errorf("Upgrade: h2c: got %v, closed: %v; want one HTTP/1.1 200, no 101", statuses(responses), closed)
			}

			responses, closed = exchange(t, s.Addr, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 1)
			if len(responses) != 1 || responses[0].Proto != "HTTP/1.1" || responses[0].StatusCode/100 != 4 || !closed {
				t.Errorf("the HTTP/2 preface: got %v, closed: %v; want one HTTP/1.1 4xx, then the connection closed",
					statuses(responses), closed)
			}
		})
	}
}

// TestExpectContinueTooLarge: a client that announces a body over the
// limit, and waits for 100 Continue before it sends it, gets the 413 at
// once instead, never 100 Continue, and the connection closes: the body
// is never read, and sizeLimit does not wait for it (readOnTime).
func TestExpectContinueTooLarge(t *testing.T) {
	t.Parallel()
	s := proc.StartServer(t, "04-pipeline")
	start := time.Now()
	responses, closed := exchange(t, s.Addr,
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n", 1)
	if len(responses) != 1 || responses[0].StatusCode != 413 || !closed {
		t.Fatalf("got %v, closed: %v; want one 413, then the connection closed", statuses(responses), closed)
	}
	if took := time.Since(start); took >= readOnTime {
		t.Errorf("the connection closed after %v, as long as sizeLimit reads on (%v): with Expect, the client sends nothing to read", took.Round(time.Millisecond), readOnTime)
	}
	if body := bodyOf(responses[0]); body != tooLargePlain {
		t.Errorf("the 413's body is %q", body)
	}
}
