package main

import (
	"io"
	"net/http/httptest"
	"testing"
)

// The application is tested in memory, with net/http/httptest: a request
// made without a network, and a ResponseRecorder that catches the answer.
// This is what the 2016 post's "Testing Python WSGI" did with webob's
// Request.blank: call the app, look at what it returned.

func TestApp(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		status       int
		contentType  string
		allow        string // the Allow header a 405 must carry
		body         string
	}{
		{"GET", "/", 200, "text/plain", "", greeting},
		{"POST", "/", 405, "text/plain; charset=utf-8", "GET, HEAD", "Method Not Allowed\n"},
		{"GET", "/nowhere", 404, "text/plain; charset=utf-8", "", "404 page not found\n"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			newApp().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status || string(body) != tc.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, body, tc.status, tc.body)
			}
			if got := rec.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type: %q, want %q", got, tc.contentType)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow: %q, want %q", got, tc.allow)
			}
		})
	}
}
