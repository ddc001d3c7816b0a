package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Each middleware is tested alone, with net/http/httptest: a request made
// in memory, a ResponseRecorder to catch the answer, and a small handler
// standing in for the app. This is how the 2016 post's "Testing Python
// WSGI" looks in Go.

func TestChainOrder(t *testing.T) {
	var trace []string
	layer := func(name string) middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				trace = append(trace, name+" in")
				next.ServeHTTP(w, r)
				trace = append(trace, name+" out")
			})
		}
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trace = append(trace, "app")
	})
	h := chain(app, layer("a"), layer("b"), layer("c"))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	want := "a in, b in, c in, app, c out, b out, a out"
	if got := strings.Join(trace, ", "); got != want {
		t.Errorf("chain(app, a, b, c) ran %q, want %q (first listed outermost)", got, want)
	}
}

var uuid4RE = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestID(t *testing.T) {
	var seen string
	h := requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = requestIDFrom(r.Context())
	}))

	ids := map[string]bool{}
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		id := rec.Header().Get(requestIDHeader)
		if !uuid4RE.MatchString(id) {
			t.Fatalf("%s: %q, want req- and a version-4 UUID", requestIDHeader, id)
		}
		if seen != id {
			t.Errorf("the app saw request id %q in its context, the client got %q", seen, id)
		}
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Errorf("three requests got %d distinct ids, want 3", len(ids))
	}
	if got := requestIDFrom(httptest.NewRequest("GET", "/", nil).Context()); got != "" {
		t.Errorf("requestIDFrom outside requestID = %q, want \"\"", got)
	}
}

// otherKey is a context key of another package's, for TestRequestIDKeepsContext.
type otherKey struct{}

func TestRequestIDKeepsContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	var inner context.Context
	h := requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = r.Context()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(parent))

	if got := inner.Value(otherKey{}); got != "kept" {
		t.Errorf("a value the request's context had: %v inside requestID, want \"kept\"", got)
	}
	if requestIDFrom(inner) == "" {
		t.Error("no request id inside requestID")
	}
	cancel()
	select {
	case <-inner.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the request's context was canceled, and the context inside requestID was not")
	}
	if !errors.Is(inner.Err(), context.Canceled) {
		t.Errorf("Err() = %v inside requestID, want context.Canceled", inner.Err())
	}
}

// panicking is an app that sets a header, maybe writes, then panics with v.
func panicking(write bool, v any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Secret", "internal detail")
		if write {
			io.WriteString(w, "partial")
		}
		panic(v)
	})
}

func TestFaultWrapAnswers500(t *testing.T) {
	var log bytes.Buffer
	h := requestID(faultWrap(slog.New(slog.NewTextHandler(&log, nil)))(panicking(false, "secret: db password wrong")))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))

	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type %q, want nova's application/json; charset=UTF-8", ct)
	}
	if rec.Header().Get("X-Secret") != "" {
		t.Error("the failed handler's headers reached the client")
	}
	var body map[string]struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	f := body["computeFault"]
	id := rec.Header().Get(requestIDHeader)
	if len(body) != 1 || f.Code != 500 || f.Message == "" || !strings.HasPrefix(id, "req-") {
		t.Errorf("body %s, header id %q; want nova's computeFault with code 500 and a message, and an id", rec.Body, id)
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("the body reveals the panic: %s", rec.Body)
	}
	if n := strings.Count(log.String(), "msg=panic"); n != 1 {
		t.Errorf("the panic was logged %d times, want once:\n%s", n, log.String())
	}
	for _, want := range []string{"secret: db password wrong", "goroutine", id} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
}

// recoverValue runs h and returns what it panicked with, or nil.
func recoverValue(h http.Handler, w http.ResponseWriter) (v any) {
	defer func() { v = recover() }()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	return nil
}

func TestFaultWrapRepanicsAbort(t *testing.T) {
	var log bytes.Buffer
	h := faultWrap(slog.New(slog.NewTextHandler(&log, nil)))(panicking(false, http.ErrAbortHandler))
	if v := recoverValue(h, httptest.NewRecorder()); v != http.ErrAbortHandler {
		t.Errorf("panic(http.ErrAbortHandler) became %v, want it passed on", v)
	}
	if log.Len() != 0 {
		t.Errorf("a deliberate abort was logged:\n%s", log.String())
	}
}

func TestFaultWrapAfterResponseStarted(t *testing.T) {
	var log bytes.Buffer
	h := faultWrap(slog.New(slog.NewTextHandler(&log, nil)))(panicking(true, "late"))
	rec := httptest.NewRecorder()
	if v := recoverValue(h, rec); v != http.ErrAbortHandler {
		t.Errorf("a panic after the response started became %v, want http.ErrAbortHandler", v)
	}
	if rec.Code != http.StatusOK || rec.Body.String() != "partial" {
		t.Errorf("got %d %q: the started response must be left alone", rec.Code, rec.Body)
	}
	if n := strings.Count(log.String(), "msg=panic"); n != 1 {
		t.Errorf("the panic was logged %d times, want once:\n%s", n, log.String())
	}
}

// Inside accessLog, faultWrap uses accessLog's statusWriter rather than
// a second one: it must still tell a response that started from one that
// did not, and accessLog must log the 500 a panic became.
func TestFaultWrapInsideAccessLog(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	serve := func(app http.Handler) (*httptest.ResponseRecorder, any) {
		rec := httptest.NewRecorder()
		v := recoverValue(accessLog(logger)(faultWrap(logger)(app)), rec)
		return rec, v
	}

	rec, v := serve(panicking(false, "early"))
	if rec.Code != http.StatusInternalServerError || v != nil {
		t.Errorf("a panic before the response: status %d and panic %v, want 500 and none", rec.Code, v)
	}
	if want := fmt.Sprintf("status=500 bytes=%d ", rec.Body.Len()); !strings.Contains(log.String(), want) {
		t.Errorf("the access line lacks %q:\n%s", want, log.String())
	}

	log.Reset()
	rec, v = serve(panicking(true, "late"))
	if v != http.ErrAbortHandler {
		t.Errorf("a panic after the response started became %v, want http.ErrAbortHandler", v)
	}
	if rec.Code != http.StatusOK || rec.Body.String() != "partial" {
		t.Errorf("a panic after the response started: got %d %q, want the started response left alone", rec.Code, rec.Body)
	}
	if n := strings.Count(log.String(), "msg=panic"); n != 1 {
		t.Errorf("the panic was logged %d times, want once:\n%s", n, log.String())
	}
}

func TestSizeLimit(t *testing.T) {
	var read string
	var readErr error
	var called bool
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		b, err := io.ReadAll(r.Body)
		read, readErr = string(b), err
	})
	h := sizeLimit(10)(app)

	for _, tc := range []struct {
		name       string
		body       string
		length     int64 // -1: unknown, as with chunked
		wantCalled bool
		wantStatus int
		wantRead   string
		wantErr    bool
	}{
		{"declared, at the limit", "ten bytes!", 10, true, 200, "ten bytes!", false},
		{"declared, over", "eleven byte", 11, false, 413, "", false},
		{"unknown, at the limit", "ten bytes!", -1, true, 200, "ten bytes!", false},
		{"unknown, over", "eleven byte", -1, true, 200, "ten bytes!", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called, read, readErr = false, "", nil
			req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			req.ContentLength = tc.length
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if called != tc.wantCalled || rec.Code != tc.wantStatus {
				t.Errorf("app called %v, status %d; want %v, %d", called, rec.Code, tc.wantCalled, tc.wantStatus)
			}
			var maxErr *http.MaxBytesError
			if tc.wantErr != (readErr != nil) || (tc.wantErr && !errors.As(readErr, &maxErr)) {
				t.Errorf("the app's read failed with %v; want a *http.MaxBytesError: %v", readErr, tc.wantErr)
			}
			if read != tc.wantRead && !tc.wantErr {
				t.Errorf("the app read %q, want %q", read, tc.wantRead)
			}
			if tc.wantStatus == 413 && !strings.Contains(rec.Body.String(), "Larger than max_request_body_size (10).") {
				t.Errorf("413 body %q does not name the limit", rec.Body)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"writes nothing: 200", func(w http.ResponseWriter, r *http.Request) {},
			"status=200 bytes=0"},
		{"writes a body: 200", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
			"status=200 bytes=5"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			"status=404 bytes=19"},
		{"103 then 201", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusCreated)
		}, "status=201 bytes=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			h := requestID(accessLog(slog.New(slog.NewTextHandler(&log, nil)))(tc.handler))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("PUT", "/things/1", nil))
			line := log.String()
			if strings.Count(line, "\n") != 1 {
				t.Fatalf("want one line, got:\n%s", line)
			}
			for _, want := range []string{"msg=request method=PUT path=/things/1 " + tc.want + " duration=",
				"request_id=" + rec.Header().Get(requestIDHeader)} {
				if !strings.Contains(line, want) {
					t.Errorf("log line lacks %q:\n%s", want, line)
				}
			}
		})
	}
}

func TestStatusWriterKeepsFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	sw := &statusWriter{ResponseWriter: rec}
	if err := http.NewResponseController(sw).Flush(); err != nil {
		t.Fatalf("Flush through the wrapper: %v", err)
	}
	if !rec.Flushed {
		t.Error("Flush did not reach the writer underneath")
	}
}
