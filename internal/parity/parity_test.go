package parity

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/bits"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"wsgi-to-go/internal/probe"
	"wsgi-to-go/internal/proc"
	"wsgi-to-go/internal/python"
	"wsgi-to-go/internal/script"
)

// TestMain runs the tests through the harness, which removes the step
// binaries and the seals it made once they are done.
func TestMain(m *testing.M) { script.Main(m) }

// The corpus, and the one file of differences.
const (
	corpusFile      = "testdata/requests.txtar"
	differencesFile = "testdata/differences.txt"
)

// startLimit bounds the real stack's start: python3, eventlet and Paste
// Deploy take a second or two on a quiet machine, more under -race.
const startLimit = 30 * time.Second

// TestParity sends every request of the corpus to step 04 and to the real
// stack, each serving the config the request's folder names, and compares
// their answers; differences.txt lists what may differ, and must differ.
func TestParity(t *testing.T) {
	py, why := probe.RealStack(t)
	if py == nil {
		t.Skip(why)
	}
	root, err := proc.Root()
	if err != nil {
		t.Fatal(err)
	}
	requests := readCorpus(t)
	listed := readDifferences(t, root)

	var configs []string
	byConfig := map[string][]request{}
	for _, r := range requests {
		if byConfig[r.config] == nil {
			configs = append(configs, r.config)
		}
		byConfig[r.config] = append(byConfig[r.config], r)
	}
	found := map[string][]difference{} // by request name
	hung := map[string]bool{}          // the requests a side did not answer in time
	for _, config := range configs {
		rel := filepath.Join("steps", "04-pipeline", "examples", config+".ini")
		switch own := filepath.Join("internal", "parity", "testdata", config+".ini"); {
		case config == "api-paste":
			rel = filepath.Join("steps", "04-pipeline", "api-paste.ini")
		case fileExists(filepath.Join(root, own)):
			rel = own // a config of the test's own
		}
		real, oslo := startRealStack(t, py, root, rel)
		if config == configs[0] {
			t.Logf("the real stack: %s", oslo)
		}
		step := proc.StartServer(t, "04-pipeline", "-config", rel).Addr
		for _, r := range byConfig[config] {
			realAnswers, realErr := send(t, real, r)
			stepAnswers, stepErr := send(t, step, r)
			// A side that hangs has no answer to compare: two hung
			// servers are not two servers that agree.
			for _, side := range []struct {
				name string
				err  error
			}{{"the real stack", realErr}, {"step 04", stepErr}} {
				if side.err != nil {
					t.Errorf("%s: %s did not answer within %v: %v", r.name, side.name, proc.WaitLimit, side.err)
					hung[r.name] = true
				}
			}
			if !hung[r.name] {
				found[r.name] = compare(realAnswers, stepAnswers)
			}
		}
	}

	count := tally{sent: len(requests), byKinds: map[kindSet]int{}}
	for _, r := range requests {
		diffs := found[r.name]
		switch {
		case hung[r.name]:
			count.hung++
			continue
		case len(diffs) == 0:
			count.same++
			continue
		}
		var set kindSet
		unlisted := false
		for _, d := range diffs {
			i := slices.IndexFunc(listed, func(e entry) bool { return e.covers(r.name, d.field) })
			if i < 0 {
				t.Errorf("%s: %s differs, and %s does not list it:\n  real stack: %s\n  step 04:    %s",
					r.name, d.field, differencesFile, d.real, d.step)
				unlisted = true
				continue
			}
			set |= kindOf(listed[i].kind)
		}
		if unlisted {
			count.unlisted++
		} else {
			count.byKinds[set]++
		}
	}
	// A listed difference that no longer differs fails too, so the file
	// cannot go stale: each request an entry names must differ in one of
	// its fields, and each field in one of its requests.
	for _, e := range listed {
		names := e.matching(requests)
		if len(names) == 0 {
			t.Errorf("%s:%d names no request of the corpus: %s", differencesFile, e.line, strings.Join(e.requests, " "))
		}
		differs := func(name, field string) bool {
			return slices.ContainsFunc(found[name], func(d difference) bool { return d.field == field })
		}
		for _, name := range names {
			if hung[name] {
				continue
			}
			if !slices.ContainsFunc(e.fields, func(f string) bool { return differs(name, f) }) {
				t.Errorf("%s:%d lists %s as differing in %s, and both answer it the same: take it out there",
					differencesFile, e.line, name, strings.Join(e.fields, " or "))
			}
		}
		for _, field := range e.fields {
			if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return differs(n, field) }) {
				t.Errorf("%s:%d lists %s, and none of its requests differs in it any more: take it out there",
					differencesFile, e.line, field)
			}
		}
	}
	t.Logf("%s (%d entries in %s)", count, len(listed), differencesFile)
	if out := os.Getenv("PARITY_FINDINGS"); out != "" {
		writeFindings(t, out, requests, found)
	}
}

// kinds are the kinds of differences.txt, in the order the log says them,
// with their words.
var kinds = []struct{ name, words string }{
	{"twin", "the twins"},
	{"server", "the servers"},
}

// kindSet is a set of kinds, bit i for kinds[i].
type kindSet uint

// kindOf is the set of the one kind name; empty where readDifferences
// has already refused the name.
func kindOf(name string) kindSet {
	for i, k := range kinds {
		if k.name == name {
			return 1 << i
		}
	}
	return 0
}

// words says the kinds of s: "the twins and the servers".
func (s kindSet) words() string {
	var words []string
	for i, k := range kinds {
		if s&(1<<i) != 0 {
			words = append(words, k.words)
		}
	}
	return strings.Join(words, " and ")
}

// tally is how the requests came out, each counted once: answered the
// same, different in one set of kinds, different where differences.txt
// lists nothing, or not answered in time. Its counts add up to sent.
type tally struct {
	sent, same, unlisted, hung int
	byKinds                    map[kindSet]int
}

// String says the counts: "191 requests sent to both: 119 answered the
// same; 72 differ, all deliberately: 3 in the twins, ..., 2 in the
// twins and the servers".
func (c tally) String() string {
	s := fmt.Sprintf("%d requests sent to both: %d answered the same; %d differ", c.sent, c.same, c.sent-c.same-c.hung)
	if c.unlisted == 0 {
		s += ", all deliberately"
	} else {
		s += fmt.Sprintf(", %d in a way %s does not list, the others deliberately", c.unlisted, differencesFile)
	}
	sets := slices.Collect(maps.Keys(c.byKinds))
	slices.SortFunc(sets, func(a, b kindSet) int { // one kind before two, then in the order of kinds
		return cmp.Or(bits.OnesCount(uint(a))-bits.OnesCount(uint(b)), int(a)-int(b))
	})
	var parts []string
	for _, set := range sets {
		parts = append(parts, fmt.Sprintf("%d in %s", c.byKinds[set], set.words()))
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if c.hung > 0 {
		s += fmt.Sprintf("; %d not answered in time", c.hung)
	}
	return s
}

// TestTallyCountsEachRequestOnce: a request that differs in two kinds is
// counted once, under both, so the log's counts add up to those sent.
func TestTallyCountsEachRequestOnce(t *testing.T) {
	c := tally{sent: 10, same: 3, hung: 1, byKinds: map[kindSet]int{
		kindOf("twin") | kindOf("server"): 2, kindOf("server"): 1, kindOf("twin"): 3,
	}}
	want := "10 requests sent to both: 3 answered the same; 6 differ, all deliberately: 3 in the twins, " +
		"1 in the servers, 2 in the twins and the servers; 1 not answered in time"
	if got := c.String(); got != want {
		t.Errorf("the log says\n  %s\nwant\n  %s", got, want)
	}
}

// request is one file of the corpus: one connection's bytes.
type request struct {
	name    string // config/what, as the corpus names it
	config  string // the folder of its name
	raw     []byte
	methods []string // of the requests in raw, in order: HEAD's answer has no body
}

// repeat is the corpus's {{N*C}}: N copies of C.
var repeat = regexp.MustCompile(`\{\{([0-9]+)\*(.)\}\}`)

// readCorpus reads the requests, each line ended by CRLF.
func readCorpus(t *testing.T) []request {
	archive, err := txtar.ParseFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	var requests []request
	for i, f := range archive.Files {
		config, _, ok := strings.Cut(f.Name, "/")
		if !ok {
			t.Fatalf("%s: %s is not CONFIG/NAME", corpusFile, f.Name)
		}
		if slices.ContainsFunc(archive.Files[:i], func(g txtar.File) bool { return g.Name == f.Name }) {
			t.Fatalf("%s: two requests are named %s: each answer is kept by its name", corpusFile, f.Name)
		}
		var raw []byte
		for _, line := range strings.SplitAfter(string(f.Data), "\n") {
			if line == "" {
				continue
			}
			line = strings.TrimSuffix(line, "\n")
			end := "\r\n"
			if strings.HasSuffix(line, `\`) {
				line, end = strings.TrimSuffix(line, `\`), ""
			}
			line = repeat.ReplaceAllStringFunc(line, func(m string) string {
				sub := repeat.FindStringSubmatch(m)
				n, _ := strconv.Atoi(sub[1])
				return strings.Repeat(sub[2], n)
			})
			raw = append(raw, line+end...)
		}
		requests = append(requests, request{name: f.Name, config: config, raw: raw, methods: methods(raw)})
	}
	if len(requests) == 0 {
		t.Fatalf("%s holds no requests", corpusFile)
	}
	return requests
}

// methods lists the methods of the requests in raw, as a server reads
// them; where one cannot be read, its first word, and no more.
func methods(raw []byte) []string {
	var list []string
	br := bufio.NewReader(bytes.NewReader(raw))
	for {
		rest, _ := br.Peek(br.Buffered())
		req, err := http.ReadRequest(br)
		if err != nil {
			if first, _, _ := bytes.Cut(rest, []byte(" ")); len(rest) > 0 && len(list) == 0 {
				list = append(list, string(first))
			}
			return list
		}
		list = append(list, req.Method)
		io.Copy(io.Discard, req.Body)
		if _, err := br.Peek(1); err != nil {
			return list
		}
	}
}

// startRealStack starts serve.py serving config on a loopback port the
// kernel chooses, and returns where it listens, and serve.py's line
// saying which oslo.middleware it loaded: one from outside the
// repository, or the test fails, for the stand-in of the same name in
// python/04-pipeline-site/standins would make it compare step 04 with
// its own twin.
func startRealStack(t *testing.T, py *python.Python, root, config string) (addr, oslo string) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := py.Command(ctx, filepath.Join(root, probe.RealStackDir, "serve.py"), "-config", config, "-addr", "127.0.0.1:0")
	cmd.Dir = root
	stderr := &proc.LockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the real stack: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	type started struct{ addr, oslo string }
	listening := make(chan started, 1)
	go func() {
		var oslo string
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "oslo.middleware ") {
				oslo = lines.Text()
			}
			if a, ok := strings.CutPrefix(lines.Text(), "serving on "); ok {
				listening <- started{a, oslo}
			}
		}
		close(listening)
	}()
	var s started
	select {
	case got, ok := <-listening:
		if !ok {
			t.Fatalf("the real stack, serving %s, exited before it listened:\n%s", config, stderr)
		}
		s = got
	case <-time.After(startLimit):
		t.Fatalf("the real stack, serving %s, did not say where it listens within %v:\n%s", config, startLimit, stderr)
	}
	_, file, ok := strings.Cut(s.oslo, " from ")
	if !ok {
		t.Fatalf("the real stack, serving %s, did not say which oslo.middleware it loaded before \"serving on\" "+
			"(serve.py prints \"oslo.middleware VERSION from FILE\"): it is not proven to be the real package", config)
	}
	if inside(root, file) {
		t.Fatalf("the real stack, serving %s, says %q: that is inside the repository, a stand-in, not the real "+
			"package; the test would compare step 04 with its own twin. Keep python/04-pipeline-site/standins "+
			"off serve.py's path", config, s.oslo)
	}
	return s.addr, s.oslo
}

// inside reports whether file is in the folder dir, or under it, symbolic
// links resolved where they can be.
func inside(dir, file string) bool {
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	if f, err := filepath.EvalSymlinks(file); err == nil {
		file = f
	}
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// answer is one response, as a client reads it.
type answer struct {
	status  int
	header  http.Header
	body    []byte
	close   bool   // the server said it will close the connection
	framing string // how the body's end is known, where it has one
	head    bool
}

// answers is what a server sent back on one connection: the interim (1xx)
// statuses, then the final responses; err is why reading stopped, where
// not at the server's close.
type answers struct {
	interim []int
	final   []answer
	err     string
}

// send writes r's bytes to addr, and reads a response for each request in
// them, or until the server closes the connection. It never closes its
// own writing side first: net/http takes that for a client gone, and
// cancels the request's context. A server that answers nothing more
// within proc.WaitLimit is no answer: send returns the deadline's
// error, for the caller to fail on.
func send(t *testing.T, addr string, r request) (answers, error) {
	conn, err := net.DialTimeout("tcp", addr, proc.WaitLimit)
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(proc.WaitLimit))
	// Written while the answers are read: a server that refuses a body
	// answers before it has read it all.
	go conn.Write(r.raw)
	var got answers
	br := bufio.NewReader(conn)
	for len(got.final) < max(len(r.methods), 1) {
		method := "GET"
		if i := len(got.final); i < len(r.methods) {
			method = r.methods[i]
		}
		br.Peek(1) // what ReadResponse will read, for the error below
		start, _ := br.Peek(min(br.Buffered(), 60))
		start = bytes.Clone(start)
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got, fmt.Errorf("waiting for response %d: %w", len(got.final)+1, err)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				got.err = fmt.Sprintf("no HTTP response: %q...", start)
			}
			return got, nil
		}
		if resp.StatusCode < 200 {
			got.interim = append(got.interim, resp.StatusCode)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got, fmt.Errorf("reading the body of response %d: %w", len(got.final)+1, err)
		}
		if err != nil {
			got.err = "reading the body: " + err.Error()
		}
		got.final = append(got.final, answer{status: resp.StatusCode, header: resp.Header, body: body,
			close: resp.Close, framing: framing(resp, method), head: method == "HEAD"})
		if err != nil {
			return got, nil
		}
	}
	return got, nil
}

// framing says how a client knows where resp's body ends.
func framing(resp *http.Response, method string) string {
	switch {
	case method == "HEAD" || resp.StatusCode == 204 || resp.StatusCode == 304:
		if v := resp.Header.Values("Content-Length"); len(v) > 0 {
			return "no body; Content-Length: " + strings.Join(v, ", ")
		}
		return "no body; no Content-Length"
	case len(resp.TransferEncoding) > 0:
		return "chunked"
	case resp.ContentLength >= 0:
		return "Content-Length"
	}
	return "read until the server closes"
}

// difference is one field that the real stack and step 04 answer apart.
type difference struct {
	field, real, step string
}

// requestIDs are the ids oslo's RequestId and step 04 make: "req-" and a
// random UUID.
var requestIDs = regexp.MustCompile(`req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// compare lists the fields of real's and step's answers that differ.
func compare(real, step answers) []difference {
	var diffs []difference
	add := func(field, r, s string) {
		if r != s {
			diffs = append(diffs, difference{field, r, s})
		}
	}
	add("interim", fmt.Sprint(real.interim), fmt.Sprint(step.interim))
	add("responses", strconv.Itoa(len(real.final)), strconv.Itoa(len(step.final)))
	add("read", real.err, step.err)
	for i := range min(len(real.final), len(step.final)) {
		r, s := real.final[i], step.final[i]
		suffix := ""
		if i > 0 {
			suffix = fmt.Sprintf("[%d]", i+1)
		}
		for _, f := range fields {
			add(f.name+suffix, f.value(r), f.value(s))
		}
	}
	return diffs
}

// fields are what compare compares in each response, by name.
var fields = []struct {
	name  string
	value func(answer) string
}{
	{"status", func(a answer) string { return strconv.Itoa(a.status) }},
	{"content-type", func(a answer) string { return strings.Join(a.header.Values("Content-Type"), ", ") }},
	{"x-openstack-request-id", func(a answer) string { return idShape(a.header.Values("X-Openstack-Request-Id")) }},
	{"x-compute-request-id", func(a answer) string { return idShape(a.header.Values("X-Compute-Request-Id")) }},
	{"allow", func(a answer) string { return methodSet(a.header.Values("Allow")) }},
	{"retry-after", func(a answer) string { return strings.Join(a.header.Values("Retry-After"), ", ") }},
	{"framing", func(a answer) string { return a.framing }},
	{"connection-close", func(a answer) string { return strconv.FormatBool(a.close) }},
	{"body", func(a answer) string { return strconv.Quote(requestIDs.ReplaceAllString(string(a.body), "req-ID")) }},
	{"json-keys", jsonKeys},
}

// idShape is a request id header's values, with a fresh id as its shape.
func idShape(values []string) string {
	if len(values) == 0 {
		return "absent"
	}
	var shapes []string
	for _, v := range values {
		if requestIDs.MatchString(v) && len(v) == len("req-")+36 {
			v = "req-<uuid4>"
		}
		shapes = append(shapes, v)
	}
	return strings.Join(shapes, ", ")
}

// methodSet is an Allow header's methods, sorted.
func methodSet(values []string) string {
	var methods []string
	for _, v := range values {
		for m := range strings.SplitSeq(v, ",") {
			methods = append(methods, strings.TrimSpace(m))
		}
	}
	slices.Sort(methods)
	return strings.Join(methods, ", ")
}

// jsonKeys lists the keys of a JSON body, each as its path; "" where the
// body is not said to be JSON.
func jsonKeys(a answer) string {
	if !strings.Contains(a.header.Get("Content-Type"), "json") || a.head {
		return ""
	}
	var v any
	if err := json.Unmarshal(a.body, &v); err != nil {
		return "not JSON: " + err.Error()
	}
	var keys []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, child := range m {
				keys = append(keys, prefix+k)
				walk(prefix+k+".", child)
			}
		}
	}
	walk("", v)
	slices.Sort(keys)
	return strings.Join(keys, " ")
}

// entry is one deliberate difference of differences.txt.
type entry struct {
	line     int
	requests []string // names, or path.Match patterns of names
	fields   []string
	kind     string // twin: step 04's middleware; server: net/http against eventlet
	reason   string
	see      string
}

// covers reports whether e lists field of the request name.
func (e entry) covers(name, field string) bool {
	return slices.Contains(e.fields, field) && slices.ContainsFunc(e.requests, func(p string) bool {
		ok, _ := path.Match(p, name)
		return ok
	})
}

// matching lists the requests e names.
func (e entry) matching(requests []request) []string {
	var names []string
	for _, r := range requests {
		if slices.ContainsFunc(e.requests, func(p string) bool { ok, _ := path.Match(p, r.name); return ok }) {
			names = append(names, r.name)
		}
	}
	return names
}

// readDifferences reads differences.txt: entries of "key: value" lines,
// a blank line between two, # for a comment. Each names the page it
// cites, which must exist, with its section where it names one.
func readDifferences(t *testing.T, root string) []entry {
	data, err := os.ReadFile(differencesFile)
	if err != nil {
		t.Fatal(err)
	}
	var list []entry
	var e *entry
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			if line == "" {
				e = nil
			}
			continue
		}
		if e == nil {
			list = append(list, entry{line: i + 1})
			e = &list[len(list)-1]
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("%s:%d: %q is not key: value", differencesFile, i+1, line)
		}
		value = strings.TrimSpace(value)
		switch key {
		case "requests":
			e.requests = append(e.requests, strings.Fields(value)...)
		case "fields":
			e.fields = append(e.fields, strings.Fields(value)...)
		case "kind":
			e.kind = value
		case "reason":
			e.reason = value
		case "see":
			e.see = value
		default:
			t.Fatalf("%s:%d: %q is not a key of an entry (requests, fields, kind, reason, see)", differencesFile, i+1, key)
		}
	}
	for _, e := range list {
		where := fmt.Sprintf("%s:%d", differencesFile, e.line)
		switch {
		case len(e.requests) == 0 || len(e.fields) == 0 || e.reason == "" || e.see == "":
			t.Errorf("%s: an entry needs requests, fields, a reason and see", where)
		case e.kind != "twin" && e.kind != "server":
			t.Errorf("%s: kind is %q, want twin (step 04's middleware) or server (net/http against eventlet)", where, e.kind)
		}
		file, section, _ := strings.Cut(e.see, ", ")
		page, err := os.ReadFile(filepath.Join(root, file))
		switch {
		case err != nil:
			t.Errorf("%s: see names %s, which cannot be read: %v", where, file, err)
		case section != "" && !regexp.MustCompile(`(?m)^#+ `+regexp.QuoteMeta(section)+`\s*$`).Match(page):
			t.Errorf("%s: see names the section %q of %s, which has no such heading", where, section, file)
		}
	}
	return list
}

// writeFindings writes every difference, for the twins' authors to read.
func writeFindings(t *testing.T, out string, requests []request, found map[string][]difference) {
	var b strings.Builder
	b.WriteString("# What the parity test finds: real stack against step 04\n\n")
	for _, r := range requests {
		for _, d := range found[r.name] {
			fmt.Fprintf(&b, "- %s, %s:\n  - real:    %s\n  - step 04: %s\n", r.name, d.field, clip(d.real), clip(d.step))
		}
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o666); err != nil {
		t.Error(err)
	}
}

// clip shortens a long value for a listing.
func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// fileExists reports whether path names a file.
func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
