package main

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"wsgi-to-go/steps/04-pipeline/paste"
)

// healthcheck answers a load balancer's poll without calling the app: the
// Go twin of oslo.middleware's Healthcheck (5.0.0, and its current
// source). It answers 200 while every backend is healthy and 503 while
// one is not, with the reasons as plain text, HTML or JSON, as Accept
// prefers; HEAD gets 204 or 503, with no body. As an app (app_factory,
// the form OpenStack services use now) a urlmap mounts it at a path.
type healthcheck struct {
	backend       bool   // backends = disable_by_file
	disableByFile string // its disable_by_file_path: 503 while this file exists
}

// healthcheckOptions are the options of oslo's Healthcheck that its twin
// reads, in either form.
var healthcheckOptions = []string{"backends", "disable_by_file_path", "detailed"}

// newHealthcheck reads oslo's options: backends (disable_by_file, the one
// backend twinned), disable_by_file_path and detailed.
func newHealthcheck(opts map[string]string) (healthcheck, error) {
	var h healthcheck
	switch strings.TrimSpace(opts["backends"]) {
	case "":
	case "disable_by_file":
		h.backend = true
	default:
		return h, paste.BadOption("backends", "only disable_by_file has a Go twin")
	}
	path, ok := opts["disable_by_file_path"]
	if ok && !h.backend {
		return h, paste.BadOption("disable_by_file_path", "is read only with backends = disable_by_file")
	}
	h.disableByFile = path
	switch strings.ToLower(opts["detailed"]) { // oslo.config's words for a boolean
	case "", "false", "0", "off", "no":
	case "true", "1", "on", "yes":
		// It shows the Python process's threads, garbage collector and
		// platform; oslo itself warns it may expose sensitive details.
		return h, paste.BadOption("detailed", "only false has a Go twin: the detailed answer shows the process's internals")
	default:
		return h, paste.BadOption("detailed", "must be true or false")
	}
	return h, nil
}

// check returns each backend's reason, and whether all are healthy.
func (h healthcheck) check() (reasons []string, healthy bool) {
	if !h.backend {
		return nil, true
	}
	if h.disableByFile != "" {
		if _, err := os.Stat(h.disableByFile); err == nil {
			return []string{"DISABLED BY FILE"}, false
		}
	}
	return []string{"OK"}, true
}

// ServeHTTP answers with the health of every backend, as oslo's
// Healthcheck.process_request does, byte for byte.
func (h healthcheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reasons, healthy := h.check()
	if r.Method == http.MethodHead {
		if healthy {
			w.WriteHeader(http.StatusNoContent) // webob sends a 204 no Content-Type
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var contentType, body string
	switch bestOffer(strings.Join(r.Header.Values("Accept"), ","), "text/plain", "text/html", "application/json") {
	case "text/html":
		contentType, body = "text/html; charset=UTF-8", healthHTML(reasons)
	case "application/json":
		contentType, body = "application/json", healthJSON(reasons)
	default: // no type allowed: plain text, never a 406
		contentType, body = "text/plain; charset=UTF-8", strings.Join(reasons, "\n")
	}
	w.Header().Set("Content-Type", contentType)
	if !healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	io.WriteString(w, body)
}

// healthJSON is oslo's JSON body: sorted keys, indented by four.
func healthJSON(reasons []string) string {
	if len(reasons) == 0 {
		return "{\n    \"detailed\": false,\n    \"reasons\": []\n}"
	}
	return "{\n    \"detailed\": false,\n    \"reasons\": [\n        \"" +
		strings.Join(reasons, "\",\n        \"") + "\"\n    ]\n}"
}

// healthHTML is oslo's HTML page: a table of the reasons.
func healthHTML(reasons []string) string {
	rows := "\n"
	if len(reasons) > 0 {
		rows = ""
		for _, reason := range reasons {
			rows += "<TR>\n\n    <TD>" + reason + "</TD>\n\n</TR>\n"
		}
	}
	return "<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n\n" +
		"<H2>Result of " + strconv.Itoa(len(reasons)) + " checks:</H2>\n" +
		"<TABLE bgcolor=\"#ffffff\" border=\"1\">\n<TBODY>\n<TR>\n\n<TH>\nReason\n</TH>\n</TR>\n" +
		rows + "</TBODY>\n</TABLE>\n<HR></HR>\n\n</BODY>\n</HTML>"
}

// healthcheckFilter answers requests for path as h does, and passes every
// other request on: the older form, oslo's Healthcheck.factory, which
// oslo.middleware deprecates for the app form but still loads.
func healthcheckFilter(path string, h healthcheck) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The whole path, as webob's req.path: a urlmap above may
			// have moved a prefix of it into the script name.
			if paste.ScriptName(r)+r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
