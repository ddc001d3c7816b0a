// Package paste loads a Paste Deploy config, an OpenStack service's
// api-paste.ini, into one http.Handler: the Go twin of Paste Deploy's
// loadwsgi.py, and of Paste's urlmap.py.
//
// It loads in three stages, as loadapp does:
//
//	tree, err := paste.Load("api-paste.ini", "main", reg) // parse, then resolve
//	h, err := paste.Build(tree, reg)                      // call the factories
//	err = paste.Print(os.Stdout, tree)                    // or PrintJSON: the tree, built or not
//
// Parse reads the file as Python's ConfigParser does (ini.go).
// Resolve follows the name through use, pipeline, filter-with, next,
// config: and egg: into a tree of contexts, Paste Deploy's
// LoaderContext: what kind of piece each is, which factory makes it, its
// local conf and its global conf (resolve.go, uri.go, composite.go).
// Build calls the factories of a Registry, where names in the config
// meet Go code, the twin of the entry points Paste Deploy finds in
// installed packages (build.go, registry.go, factory.go).
//
// Each file names what it twins. The loader recurses as Paste Deploy
// does, and limits.go bounds what a config can make it do. Every error
// is one line, FILE:LINE: what is wrong, and shows no secret.
package paste
