package page

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"wsgi-to-go/internal/script"
	"wsgi-to-go/internal/twins"
)

// The transcript and output markers' blocks: a command from a script in
// testdata/ and the output it checks, or a file in a script, as a learner
// sees them.

// The address a learner's server listens on: the scripts' $ADDR stands for
// it in commands, and for what it resolves to in output.
const (
	learnerAddr   = "localhost:8080"
	learnerListen = "127.0.0.1:8080"
)

// transcript returns "$ COMMAND" and its expected output: the file called
// name in a script, and the exec or exits line whose output the script
// compares with it. A line marked [python] runs only against the Python
// twins, and one marked [!python] only against the Go steps; a transcript
// from a [python] comparison shows the twin's command.
func transcript(file, name string) (string, error) {
	ar, want, err := readScriptFile(file, name)
	if err != nil {
		return "", err
	}
	command := map[bool]string{}      // the last command, for Go (false) and the twins (true)
	status := map[bool]int{}          // its exit status, when the file requires one
	background := map[string]string{} // name -> command, for "wait name"
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		fields := strings.Fields(line)
		sides := []bool{false, true}
		if len(fields) > 0 && (fields[0] == "[python]" || fields[0] == "[!python]") {
			sides = []bool{fields[0] == "[python]"}
			fields = fields[1:]
		}
		if len(fields) > 0 && fields[0] == "!" {
			fields = fields[1:]
		}
		set := func(c string, code int) {
			for _, twin := range sides {
				command[twin], status[twin] = c, code
			}
		}
		switch {
		case len(fields) > 1 && fields[0] == "exec" && strings.HasPrefix(fields[len(fields)-1], "&"):
			name := strings.Trim(fields[len(fields)-1], "&")
			background[name] = strings.Join(fields[1:len(fields)-1], " ")
		case len(fields) == 2 && fields[0] == "wait":
			set(background[fields[1]], 0)
		case len(fields) > 1 && fields[0] == "exec":
			set(strings.Join(fields[1:], " "), 0)
		case len(fields) > 2 && fields[0] == "exits":
			code, _ := strconv.Atoi(fields[1])
			set(strings.Join(fields[2:], " "), code)
		case len(fields) == 3 && strings.HasPrefix(fields[0], "cmp") && strings.TrimPrefix(fields[2], "$WORK/") == name:
			twin := len(sides) == 1 && sides[0]
			if command[twin] == "" {
				return "", fmt.Errorf("%s: no command before %q", file, line)
			}
			output := script.HideNoNewlineMark(strings.ReplaceAll(string(want.Data), "$ADDR", learnerListen))
			learner := learnerCommand(command[twin], twin)
			if status[twin] != 0 && strings.HasPrefix(learner, "go run ") {
				// go run's own last line, after a program that failed
				output += fmt.Sprintf("exit status %d\n", status[twin])
			}
			return "$ " + learner + "\n" + output, nil
		}
	}
	return "", fmt.Errorf("%s never compares output with %q", file, name)
}

// learnerCommand is a script's command line as a learner types it: a step
// runs with go run, or its twin with python3, and $ADDR is the default
// address.
func learnerCommand(command string, twin bool) string {
	command = strings.ReplaceAll(command, " -addr $ADDR", "") // the default
	fields := strings.Fields(strings.ReplaceAll(command, "$ADDR", learnerAddr))
	switch {
	case stepNameRE.MatchString(fields[0]) && twin:
		fields[0] = "python3 " + twins.Dir + "/" + fields[0] + ".py"
	case stepNameRE.MatchString(fields[0]):
		fields[0] = "go run ./steps/" + fields[0]
	}
	for i, f := range fields {
		if strings.ContainsAny(f, "?&*") && !strings.HasPrefix(f, "'") {
			fields[i] = "'" + f + "'" // so a shell does not glob or background it
		}
	}
	return strings.Join(fields, " ")
}

var stepNameRE = regexp.MustCompile(`^[0-9][0-9]-[a-z-]+$`)

// scriptFile returns the file called name in a script, as a learner would
// see it: $ADDR is the default address.
func scriptFile(file, name string) (string, error) {
	_, f, err := readScriptFile(file, name)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(f.Data), "$ADDR", learnerListen), nil
}

// readScriptFile parses a script and finds its file called name.
func readScriptFile(file, name string) (*txtar.Archive, *txtar.File, error) {
	ar, err := txtar.ParseFile(filepath.FromSlash(file))
	if err != nil {
		return nil, nil, err
	}
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			return ar, &ar.Files[i], nil
		}
	}
	return nil, nil, fmt.Errorf("%s has no file %q", file, name)
}
