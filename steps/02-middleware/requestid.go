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

// requestIDKey is the context key of the request id; its type is private,
// so no other package's key can collide with it.
type requestIDKey struct{}

// requestID gives every request a fresh id, "req-" and a random UUID, in
// the response header and in the request's context: the Go twin of
// oslo.middleware's RequestId and environ['openstack.request_id'].
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := "req-" + newUUID()
		w.Header().Set(requestIDHeader, id) // before next writes the header
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestIDFrom returns the request id that requestID put in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// newUUID returns a random (version 4) UUID, as Python's uuid.uuid4().
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])         // never fails: crypto/rand crashes the program instead
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // the RFC 9562 variant

	// In hex, dashed as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:36], b[10:16])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}
