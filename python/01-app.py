"""Step 01's Python twin: a WSGI application, served by wsgiref.

    python3 python/01-app.py
    curl http://localhost:8080
"""
import argparse
import json
import os
import signal
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# The 2016 example's body, byte for byte.
GREETING = b" From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"


class Greeter:
    """The application: a callable that the server calls once per request;
    in Go, an http.Handler. Like the 2016 example, it greets every path,
    and has no answer for methods other than GET and HEAD."""

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(len(GREETING)))])
            return [GREETING]
        # Any other method falls through, and the app returns None: the
        # server fails on it, logs a traceback, and answers 500.


class QuietHandler(WSGIRequestHandler):
    """wsgiref's request handler, without its line per request on stderr:
    the Go step logs nothing either."""

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser(prog=PROG, usage=argparse.SUPPRESS)
    parser.add_argument("-addr", default="localhost:8080", metavar="host:port",
                        help="listen on host:port (default %(default)s)")
    args = parser.parse_args()
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        print(f"{PROG}: -addr {json.dumps(args.addr)} is not host:port, such as "
              "localhost:8080 (or :8080, to listen on every interface)",
              file=sys.stderr)
        sys.exit(2)

    # Listen first, so a taken port or a bad address fails here, in one line.
    try:
        httpd = make_server(host, int(port), Greeter(),
                            handler_class=QuietHandler)
    except (OSError, OverflowError) as err:
        sys.exit(f"{PROG}: listen on {args.addr}: {err}")
    host, port = httpd.server_address[:2]
    print(f"listening on http://{host}:{port}", file=sys.stderr)
    # Ctrl-C kills the server at once, as it kills the Go step: no graceful
    # shutdown before step 03, and no KeyboardInterrupt inside a request.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
