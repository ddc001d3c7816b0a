package script

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"os"
	"sort"
	"strings"
)

// The scripts' curl's output, normalised so that a script can compare it
// exactly, whichever curl printed it.

// headerBlock returns the status line and headers at the start of a raw
// HTTP response, with the blank line that ends them.
func headerBlock(raw []byte) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	return raw[:end+4]
}

// normalize drops the Date header, which changes every second, from the
// head of curl's output, and folds CRLF line endings into LF, so a script
// can compare the output exactly. Output that ends without a newline (a
// body such as nova's fault) gets one, then the line noNewlineMark, so a
// script's file, which always ends in a newline, still tells the two
// apart; TUTORIAL.md leaves the mark out (HideNoNewlineMark). For the Python twins it also reads the
// head as HTTP defines it (see wsgirefHead).
func normalize(out []byte) []byte {
	var b bytes.Buffer
	n := &normalizer{w: &b}
	n.Write(out)
	n.Close()
	return b.Bytes()
}

// normalizer is normalize for output that arrives in pieces: it holds back
// only what it cannot judge yet (the head, until its blank line, and a CR
// at the end of a piece), and writes the rest on at once.
type normalizer struct {
	w       io.Writer
	pending []byte // bytes not yet judged
	started bool   // past the head, or sure there is none
	wrote   bool   // whether anything has been written on
	last    byte   // the last byte written on
}

func (n *normalizer) Write(p []byte) (int, error) {
	n.pending = append(n.pending, p...)
	n.flush(false)
	return len(p), nil
}

// Close writes what is still held back: a head that never ended is
// normalised as it is. Then, if the output does not end in a newline, it
// ends it with one and noNewlineMark.
func (n *normalizer) Close() error {
	n.flush(true)
	if n.wrote && n.last != '\n' {
		n.write([]byte("\n" + noNewlineMark + "\n"))
	}
	return nil
}

// noNewlineMark is the line normalize adds after output that did not end
// in a newline, as diff marks a file's last line.
const noNewlineMark = `\ no newline at the end`

// HideNoNewlineMark drops the lines noNewlineMark from out: TUTORIAL.md
// shows output as a terminal does, a body with no final newline as if it
// had one.
func HideNoNewlineMark(out string) string {
	return strings.ReplaceAll(out, "\n"+noNewlineMark+"\n", "\n")
}

// write writes p on, and remembers its last byte.
func (n *normalizer) write(p []byte) {
	if len(p) > 0 {
		n.wrote, n.last = true, p[len(p)-1]
		n.w.Write(p)
	}
}

func (n *normalizer) flush(final bool) {
	if !n.started {
		isHead := bytes.HasPrefix(n.pending, []byte("HTTP/"))
		switch {
		case len(n.pending) < len("HTTP/") && bytes.HasPrefix([]byte("HTTP/"), n.pending) && !final:
			return // too early to tell
		case isHead && !final && !bytes.Contains(n.pending, []byte("\r\n\r\n")):
			return // the head is still arriving
		case isHead:
			head := headerBlock(n.pending)
			n.pending = n.pending[len(head):]
			n.write(normalizeHead(head))
		}
		n.started = true
	}
	out := n.pending
	keep := 0
	if !final && bytes.HasSuffix(out, []byte("\r")) {
		keep = 1 // perhaps the first half of a CRLF
	}
	body := bytes.ReplaceAll(out[:len(out)-keep], []byte("\r\n"), []byte("\n"))
	cr := final && bytes.HasSuffix(body, []byte("\r"))
	if cr {
		body = body[:len(body)-1]
	}
	n.write(body)
	if cr { // a CR that ends the output: Close marks its line as unended
		n.wrote, n.last = true, '\r'
	}
	n.pending = append(n.pending[:0], out[len(out)-keep:]...)
}

// normalizeHead drops the Date header from a response's head, and ends
// its lines with LF.
func normalizeHead(head []byte) []byte {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(head))
	for sc.Scan() {
		if !strings.HasPrefix(strings.ToLower(sc.Text()), "date:") {
			lines = append(lines, sc.Text())
		}
	}
	if os.Getenv("TUTORIAL_IMPL") == "python" {
		lines = wsgirefHead(lines)
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// wsgirefHead rewrites the head of a response from the twins' server,
// Python's wsgiref, in the form net/http gives it, leaving out only what
// HTTP gives no meaning to or what names the server. wsgiref answers as
// HTTP/1.0 and closes the connection, which the 1.1 clients here accept
// alike; it names itself in a Server header; it keeps the app's header
// order and case, where net/http writes canonical names, sorted, with a
// Content-Length it computed last, and one the handler set sorted with
// the rest. Of the heads the scripts compare, the 413's alone has the
// handler's own (sizeLimit sends it before it reads on). The order of
// different headers and the case of their names mean nothing in HTTP.
func wsgirefHead(lines []string) []string {
	if len(lines) == 0 {
		return lines
	}
	status := lines[0]
	if rest, ok := strings.CutPrefix(status, "HTTP/1.0 "); ok {
		status = "HTTP/1.1 " + rest
	}
	ownLength := strings.HasPrefix(status, "HTTP/1.1 413 ")
	var headers, length []string
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		switch name = textproto.CanonicalMIMEHeaderKey(name); {
		case line == "":
			continue // the blank line that ends the head
		case !ok:
			headers = append(headers, line) // not a header: kept, to be seen
		case name == "Server":
			continue // wsgiref naming itself
		case name == "Content-Length" && !ownLength:
			length = append(length, name+":"+value)
		default:
			headers = append(headers, name+":"+value)
		}
	}
	sort.SliceStable(headers, func(i, j int) bool {
		return strings.SplitN(headers[i], ":", 2)[0] < strings.SplitN(headers[j], ":", 2)[0]
	})
	return append(append(append([]string{status}, headers...), length...), "")
}
