package probe

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// race holds whether this machine's go can build with -race, found once.
var race struct {
	once sync.Once
	ok   bool
	why  string
}

// Race reports whether go can build with -race here, and if not,
// why. On most systems -race needs cgo, and cgo a C compiler: go turns cgo
// off where it finds none.
func Race() (bool, string) {
	race.once.Do(func() {
		out, err := exec.Command("go", "env", "CGO_ENABLED", "CC").Output()
		fields := strings.Fields(string(out))
		switch {
		case err != nil || len(fields) < 2:
			race.why = fmt.Sprintf("go env CGO_ENABLED CC: %v", err)
		case fields[0] != "1":
			race.why = "the race detector needs cgo, and cgo is off (go env CGO_ENABLED is 0; install a C compiler, such as gcc, to turn it on)"
		default:
			if _, err := exec.LookPath(fields[1]); err != nil {
				race.why = fmt.Sprintf("the race detector needs cgo, and cgo needs a C compiler: %s is not installed", fields[1])
				return
			}
			race.ok = true
		}
	})
	return race.ok, race.why
}
