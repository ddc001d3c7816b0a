package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// requestIDHeader is the response header that carries the request id, as
// oslo.middleware's RequestId sets it.
const requestIDHeader = "X-Openstack-Request-Id"

// requestID gives every request a fresh id, "req-" and a random UUID, in
// the response header and in the request's context: the Go twin of
// oslo.middleware's RequestId and environ['openstack.request_id'].
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := &requestIDContext{Context: r.Context(), id: [1]string{newRequestID()}}
		// Header().Set, with the id's own list of values; before next
		// writes the header.
		w.Header()[requestIDHeader] = ctx.id[:]
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// computeRequestIDHeader is the header nova's ComputeReqIdMiddleware sets
// too, with the same id, for clients of nova's older API.
const computeRequestIDHeader = "X-Compute-Request-Id"

// computeRequestID is requestID that also sets X-Compute-Request-Id: the
// Go twin of nova's ComputeReqIdMiddleware, oslo's RequestId with
// compat_headers.
func computeRequestID(next http.Handler) http.Handler {
	return requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()[computeRequestIDHeader] = w.Header()[requestIDHeader]
		next.ServeHTTP(w, r)
	}))
}

// requestIDKey is the context key of the request id; its type is private,
// so no other package's key can collide with it.
type requestIDKey struct{}

// requestIDContext is a request's context with its id added. It is what
// context.WithValue(parent, requestIDKey{}, id) makes, in one allocation
// where WithValue takes two (it boxes the id in an any), and it keeps the
// id as a list of one, so the response header can use id[:] rather than
// a []string{id} of its own.
type requestIDContext struct {
	context.Context           // the parent: deadline, cancellation, other values
	id              [1]string // the id, as a header's list of values
}

// Value returns c itself for requestIDKey, and the parent's value for any
// other key.
func (c *requestIDContext) Value(key any) any {
	if key == (requestIDKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// requestIDFrom returns the request id that requestID put in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	c, ok := ctx.Value(requestIDKey{}).(*requestIDContext)
	if !ok {
		return ""
	}
	return c.id[0]
}

// newRequestID returns "req-" and a random (version 4) UUID, as oslo's
// "req-" + str(uuid.uuid4()).
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])         // never fails: crypto/rand crashes the program instead
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // the RFC 9562 variant

	// One buffer, made a string once: req-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
	var s [40]byte
	copy(s[:], "req-")
	hex.Encode(s[4:12], b[0:4])
	hex.Encode(s[13:17], b[4:6])
	hex.Encode(s[18:22], b[6:8])
	hex.Encode(s[23:27], b[8:10])
	hex.Encode(s[28:40], b[10:16])
	s[12], s[17], s[22], s[27] = '-', '-', '-', '-'
	return string(s[:])
}
