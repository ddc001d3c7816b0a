package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestComputeRequestID: nova's ComputeReqIdMiddleware sets both headers to
// the one id, and faultWrap's 500 keeps both.
func TestComputeRequestID(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestIDFrom(r.Context()) == "" {
			t.Error("the request's context has no id")
		}
	})
	logger := slog.New(slog.DiscardHandler)
	for name, h := range map[string]http.Handler{
		"served":  computeRequestID(inner),
		"a fault": computeRequestID(faultWrap(logger)(http.HandlerFunc(boom))),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		id, compute := rec.Header().Values(requestIDHeader), rec.Header().Values(computeRequestIDHeader)
		if len(id) != 1 || len(compute) != 1 || id[0] != compute[0] || len(id[0]) != len("req-")+36 {
			t.Errorf("%s: %s %q and %s %q; want one id, the same in both", name, requestIDHeader, id, computeRequestIDHeader, compute)
		}
	}
}
