// Package parity holds step 04's middleware to the real pieces it twins:
// it serves the shipped api-paste.ini, and the examples both can serve,
// with step 04 and with the real stack (realstack/serve.py: Paste Deploy,
// Paste's urlmap, the real oslo.middleware and webob under eventlet, set
// up as nova's wsgi.Server, with a marked port of nova's FaultWrapper),
// sends both the same raw requests (testdata/requests.txtar), and
// compares the status, the headers that matter and the bodies. What
// differs on purpose is listed, with its reason and the page that says
// it, in testdata/differences.txt; any other difference fails, and so
// does a listed one that no longer differs. It is the one test whose
// python3 lets the real oslo.middleware in (internal/python's LetIn), and
// it is skipped, naming what to install, where that python3 lacks it;
// serve.py says which oslo_middleware it loaded, and one from inside the
// repository (the twin's stand-in) fails the test.
// Run it with go test ./internal/parity (-v for its counts;
// PARITY_FINDINGS=FILE also writes every difference it finds to FILE).
package parity
