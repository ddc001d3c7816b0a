package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// authToken lets a request through only if its X-Auth-Token header equals
// token, and answers 401 otherwise: a stand-in for keystonemiddleware's
// auth_token, which asks Keystone instead of comparing with one string.
// The token is never logged.
func authToken(token string) middleware {
	want := sha256.Sum256([]byte(token))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Compare digests in constant time: the time taken reveals
			// neither the token nor its length.
			got := sha256.Sum256([]byte(r.Header.Get("X-Auth-Token")))
			if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Token realm="api"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
				"code":    http.StatusUnauthorized,
				"title":   "Unauthorized",
				"message": "The request you have made requires authentication.",
			}})
		})
	}
}
