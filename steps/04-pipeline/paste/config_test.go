package paste

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds the three stages any bytes at all: no input may make them
// panic, and every mistake must come back as FILE:LINE: what (or FILE:
// what, for a -name that names nothing). Its seeds are every config the
// repository already has: the shipped one, the examples, the conformance
// corpus and the configs in the test scripts, and the inputs that once
// failed, kept in testdata/fuzz/FuzzLoad. go test runs the seeds; go test
// -fuzz FuzzLoad looks for more.
func FuzzLoad(f *testing.F) {
	seeds, err := seedConfigs()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := parseINI("fuzz.ini", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.ini:") {
				t.Fatalf("parse error without FILE:LINE: %v", err)
			}
			return
		}
		names := []string{"main"}
		for _, s := range file.sections {
			_, name, _ := strings.Cut(s.header, ":")
			names = append(names, strings.TrimFunc(name, isPySpace))
		}
		for _, name := range names {
			// Only fuzz.ini exists: a config: URI names nothing else.
			r := &resolver{registry: reg, readFile: func(path string) ([]byte, error) {
				if path == "fuzz.ini" {
					return data, nil
				}
				return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
			}}
			tree, err := r.resolve("fuzz.ini", name)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.ini:") {
					t.Fatalf("resolve error without FILE:LINE: %v", err)
				}
				continue
			}
			if err := Print(io.Discard, tree); err != nil {
				t.Fatalf("-print: %v", err)
			}
			if err := writeJSON(io.Discard, tree, false); err != nil && !strings.HasPrefix(err.Error(), "fuzz.ini:") {
				t.Fatalf("-print -json error without FILE:LINE: %v", err)
			}
			if _, err := (builder{reg}).app(tree); err != nil && !strings.HasPrefix(err.Error(), "fuzz.ini:") {
				t.Fatalf("build error without FILE:LINE: %v", err)
			}
		}
	})
}

// seedConfigs returns every config file in the repository: the shipped
// one, the examples, the conformance corpus, and each .ini file inside
// the test scripts (txtar archives: "-- NAME --" starts a file).
func seedConfigs() ([][]byte, error) {
	var seeds [][]byte
	for _, pattern := range []string{"../api-paste.ini", "../examples/*.ini", "testdata/conformance/*.ini", "../../../testdata/*.txtar"} {
		files, err := filepath.Glob(pattern)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("no seed config matches %s", pattern)
		}
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			if !strings.HasSuffix(file, ".txtar") {
				seeds = append(seeds, data)
				continue
			}
			seeds = append(seeds, txtarINIs(data)...)
		}
	}
	if len(seeds) < 150 {
		return nil, fmt.Errorf("only %d seed configs: are the examples, the corpus and the scripts where FuzzLoad looks?", len(seeds))
	}
	return seeds, nil
}

// txtarINIs returns the .ini files in a txtar archive, where a line
// "-- NAME --" starts a file.
func txtarINIs(archive []byte) [][]byte {
	var files [][]byte
	var current []byte
	inINI := false
	for _, line := range strings.SplitAfter(string(archive), "\n") {
		name, hasPrefix := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "-- ")
		name, hasSuffix := strings.CutSuffix(name, " --")
		isHeader := hasPrefix && hasSuffix
		switch {
		case isHeader && inINI:
			files = append(files, current)
			fallthrough
		case isHeader:
			current, inINI = nil, strings.HasSuffix(name, ".ini")
		case inINI:
			current = append(current, line...)
		}
	}
	if inINI {
		files = append(files, current)
	}
	return files
}

func TestParseINI(t *testing.T) {
	data := "[DEFAULT]\r\nwho = you\r\n[app]\r\n[app:main] ; a note\r\nuse: egg:tutorial#greeting\r\nMessage = hi %(who)s\r\n    and more\r\n\r\n  # not part of it\r\n    after a blank line\r\nempty =\r\n    continued\r\n"
	f, err := parseINI("t.ini", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.defaults.options) != 1 || *f.defaults.options[0] != (option{"who", "you", 2}) {
		t.Errorf("defaults = %+v", f.defaults.options)
	}
	if len(f.sections) != 2 {
		t.Fatalf("sections = %+v", f.sections)
	}
	if s := f.sections[0]; s.header != "app" || len(s.options) != 0 {
		t.Errorf("[app] read as [%s] with %d options, want [app] with none: it is not [app:main]", s.header, len(s.options))
	}
	s := f.sections[1]
	if s.header != "app:main" || s.line != 4 {
		t.Errorf(`"[app:main] ; a note" read as [%s] at line %d, want [app:main] at line 4`, s.header, s.line)
	}
	want := []option{
		{"use", "egg:tutorial#greeting", 5},
		{"Message", "hi %(who)s\nand more\n\nafter a blank line", 6},
		{"empty", "\ncontinued", 11},
	}
	if len(s.options) != len(want) {
		t.Fatalf("options = %+v, want %+v", s.options, want)
	}
	for i, o := range s.options {
		if *o != want[i] {
			t.Errorf("option %d = %q, want %q (key: value, case kept, CRLF, continuation)", i, *o, want[i])
		}
	}
}

// TestParseINIErrors: a line that does not parse is named by its
// FILE:LINE and what is wrong with it; the error quotes at most a key or
// a section header, never the line, whatever file it came from.
func TestParseINIErrors(t *testing.T) {
	for data, want := range map[string]string{
		"x = 1\n":                                         `t.ini:1: a line outside any section: start one with [type:name]`,
		"root:*:20228:0:99999:7:::\n":                     `t.ini:1: a line outside any section: start one with [type:name]`,
		"DB_PASS=hunter2\n":                               `t.ini:1: a line outside any section: start one with [type:name]`,
		"[app:main\n":                                     `t.ini:1: a section header with no closing ]`,
		"[app:main]\n  continued\n":                       `t.ini:2: an indented line with no key above it to continue`,
		"[filter:authtoken]\n  hunter2\n":                 `t.ini:2: an indented line with no key above it to continue`,
		"[app:main]\nwords\n":                             `t.ini:2: a line that is not key = value, a [section] or a comment`,
		"[app:main]\nadmin_password hunter2\n":            `t.ini:2: a line that is not key = value, a [section] or a comment`,
		"[a]\n[a]\n":                                      `t.ini:2: section [a] again: it started at line 1`,
		"[a]\nk = 1\nk = 2\n":                             `t.ini:3: key "k" again: it was set at line 2`,
		"[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n":            `t.ini:4: key "k" again: it was set at line 2`,
		"[a]\n= 1\n":                                      `t.ini:2: a line with no key before its = or :`,
		"[a]\nk = \xff\n":                                 `t.ini:2: not UTF-8 text`,
		"[a]\nk = " + strings.Repeat("x", maxLine) + "\n": `t.ini:2: a line longer than 1048576 bytes`,
	} {
		_, err := parseINI("t.ini", []byte(data))
		if err == nil || err.Error() != want {
			t.Errorf("parseINI(%.40q) = %v, want %s", data, err, want)
			continue
		}
		for _, line := range strings.Split(data, "\n") {
			if line = strings.TrimSpace(line); len(line) > 2 && !strings.HasSuffix(line, "]") && strings.Contains(err.Error(), line) {
				t.Errorf("parseINI(%.40q) = %v: it quotes the line %q", data, err, line)
			}
		}
	}
}

func TestInterpolate(t *testing.T) {
	lookup := func(name string) (string, bool, bool) {
		v, ok := map[string]string{"a": "A", "b": "%(a)s%(a)s", "loop": "%(loop)s", "password": "pw",
			"passed": "http://u:pw@h", "via": "see %(passed)s"}[name]
		return v, name == "passed", ok
	}
	for in, want := range map[string]string{
		"plain":         "plain",
		"%(a)s":         "A",
		"x%(b)sy":       "xAAy",
		"100%%":         "100%",
		"%(nope)s":      "k: %(nope)s: no such key here or in [DEFAULT]",
		"%(loop)s":      "k: %(...)s nests more than 10 deep: is a value referring to itself?",
		"50%":           `k: a lone %: write %% for a percent sign`,
		"%(unfinished)": `k: a %( that does not end in )s: write %(name)s, or %% for a percent sign`,
		"%()s":          `k: a %( that does not end in )s: write %(name)s, or %% for a percent sign`,
	} {
		got, _, err := interpolate("k", in, false, lookup)
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("interpolate(%q) = %q, want %q", in, got, want)
		}
	}
	if _, secret, _ := interpolate("url", "http://u:%(password)s@h", false, lookup); !secret {
		t.Error("a value that takes in %(password)s is not marked secret")
	}
	if _, secret, _ := interpolate("message", "%(via)s", false, lookup); !secret {
		t.Error("a value that takes in, through %(via)s, a value lookup says is secret is not marked secret")
	}
	if _, _, err := interpolate("token", "s3cret%", false, lookup); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("an error in a secret option shows its value: %v", err)
	}
}

// TestInterpolateErrorsInsideSecrets: a mistake inside a secret's value
// is reported without any of it, whether the secret is the option itself,
// one its %(...)s takes in, at any depth, or one a config: URI passed in.
func TestInterpolateErrorsInsideSecrets(t *testing.T) {
	lookup := func(name string) (string, bool, bool) {
		v, ok := map[string]string{
			"admin_password": "hunter2%SECRETTAIL",
			"db_password":    "hunter2%(SECRETTAIL)s",
			"bad_password":   "hunter2%(SECRETTAIL",
			"url":            "http://u:%(db_password)s@h", // a name that does not look secret, on the way
			"admin_token":    "%(inner)s",
			"inner":          "x%SECRETTAIL", // does not look secret, but is inside admin_token
			"passed":         "p%SECRETTAIL", // passed in secret by a config: URI
		}[name]
		return v, name == "passed", ok
	}
	const lone = `message: a lone %: write %% for a percent sign`
	const missing = `message: %(...)s in <hidden>: no such key here or in [DEFAULT]`
	for raw, want := range map[string]string{
		"%(admin_password)s": lone,
		"%(db_password)s":    missing,
		"%(bad_password)s":   `message: a %( that does not end in )s: write %(name)s, or %% for a percent sign`,
		"see %(url)s":        missing,
		"%(admin_token)s":    lone,
		"%(passed)s":         lone,
		"%(inner)s":          lone,
	} {
		_, _, err := interpolate("message", raw, false, lookup)
		if err == nil || err.Error() != want {
			t.Errorf("interpolate(message = %s) = %v, want %s", raw, err, want)
		}
	}
	if _, _, err := interpolate("message", "x%SECRETTAIL", true, lookup); err == nil || err.Error() != lone {
		t.Errorf("interpolate of a value passed in secret = %v, want %s", err, lone)
	}
}

// budgetConfigs are small configs whose keys or sections name each
// other so many times over that, without the load's budget, resolving
// them takes hundreds of megabytes, or gigabytes.
var budgetConfigs = map[string]struct {
	config func() string
	want   string // what the error says
}{
	// c is a million bytes; each of 100 keys takes it in.
	"values": {func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "[DEFAULT]\na = %s\nb = %s\nc = %s\n", strings.Repeat("x", 1000), strings.Repeat("%(a)s", 100), strings.Repeat("%(b)s", 10))
		for i := range 100 {
			fmt.Fprintf(&b, "k%d = %%(c)s\n", i)
		}
		b.WriteString("[app:c0]\nuse = egg:tutorial#greeting\n")
		return b.String()
	}, "%(...)s makes more than 64 MiB of values, the most one load may"},
	// Ten levels of urlmaps, each mounting the next twice: the last, with
	// 2,000 options, is read 1,024 times.
	"settings": {func() string {
		var b strings.Builder
		for i := range 10 {
			fmt.Fprintf(&b, "[composite:c%d]\nuse = egg:Paste#urlmap\n/a = c%d\n/b = c%d\n\n", i, i+1, i+1)
		}
		b.WriteString("[app:c10]\nuse = egg:tutorial#greeting\n")
		for i := range 2000 {
			fmt.Fprintf(&b, "o%d = v\n", i)
		}
		return b.String()
	}, "the config makes more than 1048576 settings, the most one load may"},
	// 100 apps each set a key, so each copies a global conf of 20,000
	// [DEFAULT] keys.
	"global copies": {func() string {
		var b strings.Builder
		b.WriteString("[DEFAULT]\n")
		for i := range 20_000 {
			fmt.Fprintf(&b, "d%d = v\n", i)
		}
		b.WriteString("[composite:c0]\nuse = egg:Paste#urlmap\n")
		for i := range 100 {
			fmt.Fprintf(&b, "/%d = app%d\n", i, i)
		}
		for i := range 100 {
			fmt.Fprintf(&b, "[app:app%d]\nuse = egg:tutorial#greeting\nset message = %d\n", i, i)
		}
		return b.String()
	}, "the config makes more than 1048576 settings, the most one load may"},
}

// TestLoadBudget: a config whose keys or sections name each other many
// times over is refused at FILE:LINE once the load has made its budget,
// saying which limit it hit, instead of filling memory.
func TestLoadBudget(t *testing.T) {
	reg := testRegistry(t)
	for name, c := range budgetConfigs {
		data := []byte(c.config())
		r := &resolver{registry: reg, readFile: func(string) ([]byte, error) { return data, nil }}
		_, err := r.resolve("budget.ini", "c0")
		if err == nil || !strings.HasPrefix(err.Error(), "budget.ini:") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s, %d bytes: %v, want budget.ini:LINE: %s...", name, len(data), err, c.want)
		}
	}
}

func TestLooksSecret(t *testing.T) {
	for _, name := range []string{"token", "admin_token", "authtoken", "set token", "password", "admin_password",
		"adminPassword", "passwd", "memcache_secret_key", "secrets", "api_key", "keys", "credential", "app_credentials",
		// oslo.config's secret=True options that say nothing of it, and
		// the other spellings of a password
		"connection", "slave_connection", "set connection", "transport_url", "notification_transport_url",
		"code", "set code", "passcode", "passphrase", "ssl_key_passphrase", "pwd", "db_pwd", "backend_argument"} {
		if !looksSecret(name) {
			t.Errorf("looksSecret(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"keystone_url", "keystone", "keyfile", "max_request_body_size", "message",
		"path", "memcache_security_strategy", "delay_auth_decision",
		"max_connections", "connection_recycle_time", "url", "transport", "codec", "status_code", "backend"} {
		if looksSecret(name) {
			t.Errorf("looksSecret(%q) = true, want false", name)
		}
	}
}

// TestHideURLPasswords: the password of a URL is hidden wherever it is,
// and nothing else of a URL without one.
func TestHideURLPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"rabbit://nova:RABBITPW@rabbit:5672/":            "rabbit://nova:<hidden>@rabbit:5672/",
		"mysql+pymysql://nova:DBPW@db/nova?charset=utf8": "mysql+pymysql://nova:<hidden>@db/nova?charset=utf8",
		"postgres://app:PGPW-3@db:5432/app":              "postgres://app:<hidden>@db:5432/app",
		"rabbit://a:P1@h1:5672,b:P2@h2:5672/":            "rabbit://a:<hidden>@h2:5672/",
		"http://u:p@ss/w?rd@h/x":                         "http://u:<hidden>@h/x",
		"a http://u:P1@h and https://v:P2@k":             "a http://u:<hidden>@h and https://v:<hidden>@k",
		"http://keystone:5000":                           "http://keystone:5000",
		"ssh://git@example.org/repo":                     "ssh://git@example.org/repo",
		"http://host/path@x":                             "http://host/path@x",
		"no url: user:pw@host":                           "no url: user:pw@host",
		"://:P@":                                         "://:<hidden>@",
		"egg:tutorial#greeting":                          "egg:tutorial#greeting",
		"open rabbit:/nova:PW@rabbit:5672":               "open rabbit:/nova:<hidden>@rabbit:5672",
		"http://u:P\x1c@h x@y":                           "http://u:P\x1c@h x@y", // \x1c ends it, as Python's str.isspace says
		"config:/etc/shadow":                             "config:/etc/shadow",
		"C:/a:b":                                         "C:/a:b",
	} {
		if got := hideURLPasswords(in); got != want {
			t.Errorf("hideURLPasswords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLMapPath(t *testing.T) {
	for key, want := range map[string]string{
		"/":                                "|",
		"/v1":                              "|/v1",
		"/v1/":                             "|/v1",
		"//v1//x/":                         "|/v1/x",
		"domain example.com /v1":           "example.com|/v1",
		"domain example.com port 8080 /v1": "example.com:8080|/v1",
		"domain example.com":               "example.com|",
		"http://example.com/v1":            "example.com|/v1",
		"v1":                               "error: is not a path: a urlmap key is a /prefix, or domain NAME /prefix",
		"port 80 /":                        "error: a port needs a domain: domain NAME port N /prefix",
		"domain":                           `error: "domain" must be followed by a domain name`,
		"/a /b":                            `error: more than one path: "/a" and "/b"`,
	} {
		domain, path, err := urlmapPath(key)
		got := domain + "|" + path
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("urlmapPath(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestTxtarINIs(t *testing.T) {
	archive := "# a script\nexec x\n-- a.ini --\n[app:main]\nuse = egg:tutorial#greeting\n-- b.txt --\nnot a config --\n-- c.ini --\n[DEFAULT]\n"
	got := txtarINIs([]byte(archive))
	want := []string{"[app:main]\nuse = egg:tutorial#greeting\n", "[DEFAULT]\n"}
	if len(got) != len(want) || string(got[0]) != want[0] || string(got[1]) != want[1] {
		t.Errorf("txtarINIs = %q, want %q", got, want)
	}
}
