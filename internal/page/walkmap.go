//go:build unix

package page

import (
	"errors"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"

	"wsgi-to-go/internal/python"
	"wsgi-to-go/internal/script"
)

// What the walk maps between the page and the machine it runs on: the
// port, the repository's URL, and the values that differ on every run.

// programRE matches a command that runs a step, a learner's copy of one,
// or a step's Python twin: the programs that take -addr.
var programRE = regexp.MustCompile(`^(go run \./(steps|_work)/|python3 python/)\S+`)

// portRE matches the page's port, after a colon.
var portRE = regexp.MustCompile(`:` + pagePort + `\b`)

// command is a page's command as the walk runs it: the repository's URL
// is the clone's origin, the page's port is the walk's, and a program
// that takes -addr and is given none is given the walk's port.
func command(text, origin, port string) string {
	text = strings.ReplaceAll(text, repoURL, python.ShellQuote(origin))
	text = portRE.ReplaceAllString(text, ":"+port)
	if programRE.MatchString(text) && !strings.Contains(text, " -addr") {
		text += " -addr localhost:" + port
	}
	return text
}

// The values a command prints that differ from run to run, and what the
// page shows in their place.
var (
	uuidRE     = regexp.MustCompile(`req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	slogTimeRE = regexp.MustCompile(`(?m)^time=\S+ `)
	durationRE = regexp.MustCompile(`duration=\S+`)
	stackRE    = regexp.MustCompile(`stack=".*"`)
	logTimeRE  = regexp.MustCompile(`(?m)^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} `)
	downloadRE = regexp.MustCompile(`(?m)^go: downloading .*\n`)
)

// walkNormalize rewrites what a command printed as the page shows it: a
// body with no final newline as if it had one, the walk's port as the page's, request ids as req-UUID, an slog line
// without its time, a log line's date and time as DATE TIME, durations as
// DURATION, a panic's stack as "goroutine …", and
// without the lines go prints while it downloads modules (they depend on
// what the module cache holds). The scripts' replace lines make the same
// placeholders.
func walkNormalize(out string, port *regexp.Regexp) string {
	out = strings.ReplaceAll(out, "\r\n", "\n")
	out = script.HideNoNewlineMark(out)
	out = downloadRE.ReplaceAllString(out, "")
	out = port.ReplaceAllString(out, ":"+pagePort)
	out = uuidRE.ReplaceAllString(out, "req-UUID")
	out = slogTimeRE.ReplaceAllString(out, "")
	out = logTimeRE.ReplaceAllString(out, "DATE TIME ")
	out = durationRE.ReplaceAllString(out, "duration=DURATION")
	out = stackRE.ReplaceAllString(out, `stack="goroutine …"`)
	return out
}

var listeningRE = regexp.MustCompile(`(?m)^` + listeningPrefix)

func hasListeningLine(out string) bool { return listeningRE.MatchString(out) }

// okRE matches a line go test prints for a package that passed, with its
// time, or (cached).
var okRE = regexp.MustCompile(`^ok  \t(\S+)\t([0-9]+(\.[0-9]+)?s|\(cached\))$`)

// goTestRE matches a go test command of one package pattern, no flags.
var goTestRE = regexp.MustCompile(`^go test (\./\S*)$`)

// walkPort returns a loopback port that nothing listens on now, for the
// page's 8080. The walk keeps it for the whole page, across the stops and
// starts of its servers, so it is not one the system hands out when asked
// for any free port (the tests running beside it do that all the time):
// it is below the ephemeral ranges of Linux (32768 up) and macOS (49152
// up). Free means free on 127.0.0.1, where the servers listen, and on ::1,
// which curl may try first for localhost.
func walkPort() (string, error) {
	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			continue
		}
		ln6, err := net.Listen("tcp", "[::1]:"+port)
		if err == nil {
			ln6.Close()
		} else if !strings.Contains(err.Error(), "cannot assign requested address") {
			ln.Close()
			continue // taken on ::1
		}
		ln.Close()
		return port, nil
	}
	return "", errors.New("no free loopback port between 20000 and 32000 for the page's 8080")
}
