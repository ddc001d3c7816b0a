// Package paste loads a Paste Deploy config, an OpenStack service's
// api-paste.ini, into one http.Handler: the Go twin of Paste Deploy's
// loadwsgi.py, and of Paste's urlmap.py. It loads in three stages, as
// loadapp does:
//
//	tree, err := paste.Load("api-paste.ini", "main", reg) // parse, resolve
//	h, err := paste.Build(tree, reg)                      // call the factories
//	err = paste.Print(os.Stdout, tree)                    // or PrintJSON
//
// Parse is ini.go, resolve is resolve.go, build is build.go; each file
// names what it twins, and limits.go bounds what a config can make the
// loader do. Every error is one line, FILE:LINE: what is wrong, and shows
// no secret.
package paste
