package page

import (
	"strings"
	"testing"

	"wsgi-to-go/internal/probe"
)

// pySource has what an indentation rule gets wrong: a string whose lines
// start at column 0, comments at the end of a body, decorators.
const pySource = `import functools

# A comment on the import, not on Greeter.


# Greeter's own comment.
class Greeter:
    """Greets."""

    def __call__(self, environ, start_response):
        text = """
not indented: inside a string, not the end of __call__
"""
        return [text]
        # a comment at the end of __call__'s body


    # a comment on other
    @staticmethod
    @functools.lru_cache
    def other():
        pass

# after Greeter
def load_app():
    return Greeter()
`

// cut is the text of s from the first from to the first through after it.
func cut(s, from, through string) string {
	s = s[strings.Index(s, from):]
	return s[:strings.Index(s, through)+len(through)]
}

func TestMarkerCodePython(t *testing.T) {
	if py, why := probe.Python(t); py == nil {
		t.Skip(why)
	}
	files := map[string]string{"python/app.py": pySource}
	cases := []struct{ name, block string }{
		{"Greeter", cut(pySource, "# Greeter's own", "        pass\n")},
		{"Greeter.__call__", cut(pySource, "    def __call__", "__call__'s body\n")},
		{"Greeter.other", "    # a comment on other\n    @staticmethod\n    @functools.lru_cache\n    def other():\n        pass\n"},
		{"load_app", "# after Greeter\ndef load_app():\n    return Greeter()\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testMarker(t, files, "<!-- code: python/app.py#"+tc.name+" -->", tc.block)
		})
	}
	// One run of python3 finds them all, each for its own marker.
	inRepo(t, files)
	var page strings.Builder
	for _, tc := range cases {
		page.WriteString("<!-- code: python/app.py#" + tc.name + " -->\n```python\n" + tc.block + "```\n\n")
	}
	if _, problems := check(t, page.String(), false); len(problems) != 0 {
		t.Errorf("all on one page: %q", problems)
	}
}

// TestMarkerCodePythonWithoutPython checks that where there is no python3
// (findPython found nothing), a Python excerpt's block is left as it is,
// and is no problem.
func TestMarkerCodePythonWithoutPython(t *testing.T) {
	inRepo(t, map[string]string{"python/app.py": pySource})
	page := "<!-- code: python/app.py#load_app -->\n```python\nstale\n```\n"
	if got, problems := renderMarkers("PAGE.md", []byte(page), nil, true); string(got) != page || len(problems) != 0 {
		t.Errorf("with no python3, the page became\n%s\nwith %q; want it as it was", got, problems)
	}
}
