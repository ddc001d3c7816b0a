"""Step 02's Python twin: the application of step 01, wrapped in WSGI
middleware: request ids, fault wrapping, a body size limit and an access
log, each a class that wraps an app and is an app.

    python3 python/02-middleware.py
    curl -i http://localhost:8080
"""
import argparse
import functools
import json
import logging
import os
import re
import signal
import sys
import time
import traceback
import uuid
from wsgiref.simple_server import WSGIRequestHandler, make_server

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# The 2016 example's body, byte for byte.
GREETING = b" From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"

# oslo.middleware's default max_request_body_size.
DEFAULT_MAX_BODY_SIZE = 114688


class Greeter:
    """The application: a callable that answers with the greeting; in Go,
    an http.Handler."""

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(GREETING)))])
        return [GREETING]


def boom(environ, start_response):
    """Fails on purpose, so FaultWrapper can be seen at work."""
    raise RuntimeError("boom: a bug in the application")


def echo(environ, start_response):
    """Answers a POST with its body."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


def plain_error(start_response, status, text, headers=()):
    """Answers status with a one-line text body, as Go's http.Error does."""
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("X-Content-Type-Options", "nosniff"),
                            *headers,
                            ("Content-Length", str(len(body)))])
    return [body]


class Router:
    """The app's own URL map, as a WSGI app has one (Routes, in nova): it
    answers other methods with 405 and an Allow header, and other paths
    with 404, in the words of Go's ServeMux."""

    def __init__(self, routes):
        self.routes = routes  # {path: {method: app}}

    def __call__(self, environ, start_response):
        methods = self.routes.get(environ["PATH_INFO"])
        if methods is None:
            return plain_error(start_response, "404 Not Found",
                               "404 page not found")
        app = methods.get(environ["REQUEST_METHOD"])
        if app is None:
            allow = ", ".join(methods)
            return plain_error(start_response, "405 Method Not Allowed",
                               "Method Not Allowed", [("Allow", allow)])
        return app(environ, start_response)


def new_app():
    """Routes requests to the application; GET routes answer HEAD too."""
    greeter = Greeter()
    return Router({
        "/": {"GET": greeter, "HEAD": greeter},
        "/boom": {"GET": boom, "HEAD": boom},
        "/echo": {"POST": echo},
    })


REQUEST_ID_HEADER = "X-Openstack-Request-Id"
REQUEST_ID_KEY = "openstack.request_id"


class RequestId:
    """Gives every request a fresh id, "req-" and a UUID, in the response
    header and in environ: oslo.middleware's RequestId; in Go, requestID."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = "req-" + str(uuid.uuid4())
        environ[REQUEST_ID_KEY] = request_id

        def add_header(status, headers, exc_info=None):
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, add_header)


class FaultWrapper:
    """Turns an exception anywhere inside it into a 500 with nova's JSON
    body, logged once with its traceback: nova's FaultWrapper; in Go,
    faultWrap."""

    def __init__(self, app, logger):
        self.app = app
        self.logger = logger

    def __call__(self, environ, start_response):
        try:
            # yield from, not return: an error while the body is made is
            # caught too.
            yield from self.app(environ, start_response)
        except Exception as err:
            request_id = environ.get(REQUEST_ID_KEY, "")
            self.logger.error(logfmt("panic", request_id=request_id,
                                     panic=str(err),
                                     stack=traceback.format_exc()))
            # exc_info replaces the app's status and headers, if they are
            # not sent yet; if they are, the server ends the connection.
            # RequestId, outside, adds the request id to the new ones.
            start_response("500 Internal Server Error",
                           [("Content-Type", "application/json; charset=UTF-8"),
                            ("Content-Length", str(len(FAULT_BODY)))],
                           sys.exc_info())
            yield FAULT_BODY


# The body nova's FaultWrapper answers a 500 with, byte for byte: what
# failed, never how. The request id is in the header.
FAULT_BODY = json.dumps({"computeFault": {
    "code": 500,
    "message": "The server has either erred or is incapable of "
               "performing the requested operation.",
}}).encode()


class SizeLimiter:
    """Refuses request bodies over max_size bytes with 413, before the app
    runs: oslo.middleware's RequestBodySizeLimiter; in Go, sizeLimit."""

    def __init__(self, app, max_size):
        self.app = app
        self.max_size = max_size

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # wsgiref does not decode chunked bodies (eventlet does, but then
            # webob reads one as empty), so the size of one is unknown, and
            # reading it would never end.
            return plain_error(start_response, "411 Length Required",
                               "411 a request body needs a Content-Length")
        if int(environ.get("CONTENT_LENGTH") or 0) > self.max_size:
            # short-circuit: the app never sees it
            return too_large(environ, start_response, self.max_size)
        return self.app(environ, start_response)


def too_large(environ, start_response, max_size):
    """Answers 413 as oslo.middleware does, through webob's
    HTTPRequestEntityTooLarge: the same words, in HTML, JSON or plain text,
    as the request's Accept prefers (curl's */* gets HTML, no Accept
    plain); in Go, tooLarge."""
    explanation = f"Request is too large. Larger than max_request_body_size ({max_size})."
    offer = best_offer(environ.get("HTTP_ACCEPT", ""), "text/html", "application/json")
    if offer == "text/html":
        content_type = "text/html; charset=UTF-8"
        body = ("<html>\n <head>\n  <title>413 Request Entity Too Large</title>\n"
                " </head>\n <body>\n  <h1>413 Request Entity Too Large</h1>\n"
                f"  {explanation}<br /><br />\n\n\n\n </body>\n</html>")
    elif offer == "application/json":  # webob's markup and all
        content_type = "application/json"
        body = json.dumps({"message": explanation + "<br /><br />\n\n\n",
                           "code": "413 Request Entity Too Large",
                           "title": "Request Entity Too Large"})
    else:
        content_type = "text/plain; charset=UTF-8"
        body = f"413 Request Entity Too Large\n\n{explanation}\n\n   "
    body = body.encode()
    start_response("413 Request Entity Too Large",
                   [("Content-Type", content_type),
                    ("Content-Length", str(len(body)))])
    return [body]


def best_offer(accept, *offers):
    """Returns the first of offers (type/subtype, lower case) that an
    Accept header allows, highest quality first and then in the order of
    offers, or "" when it allows none: webob's
    accept.acceptable_offers(offers)[0], which oslo.middleware uses to
    choose a body's type; in Go, bestOffer. As in webob, a header that does
    not parse allows every offer, and an empty one none."""
    if not ACCEPT_HEADER.fullmatch(accept):
        return offers[0]
    ranges = MEDIA_RANGE.findall(accept)
    best, best_q = "", 0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def quality(ranges, offer):
    """The quality the media ranges give offer, in thousandths: that of the
    most specific range that matches it, the first of equals; 0 if none
    does. A range with parameters matches a type/subtype only with the
    same parameters, which the offers never have; its wildcards match as
    if it had none."""
    offer_type, _, offer_sub = offer.partition("/")
    q, best = 0, 0
    for typ, sub, params, qvalue in ranges:
        typ, sub = typ.lower(), sub.lower()
        if typ == offer_type and sub == offer_sub and not params:
            specificity = 3
        elif typ == offer_type and sub == "*":
            specificity = 2
        elif typ == "*" and sub == "*":
            specificity = 1
        else:
            continue
        if specificity > best:
            q, best = thousandths(qvalue), specificity
    return q


def thousandths(qvalue):
    """Reads a qvalue the grammar has checked, "" for none: 1000 for 1,
    500 for 0.5."""
    if qvalue == "" or qvalue[0] == "1":
        return 1000
    return int(qvalue[2:].ljust(3, "0"))


# The Accept header's grammar, as webob has it: RFC 7230's list of RFC
# 7231's media ranges, each with its parameters (none named q), a weight,
# and accept extensions.
OWS = "[ \t]*"
TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\U0010ffff]|\\[\t \x21-\x7e\x80-\U0010ffff])*"'
VALUE = "(?:" + TOKEN + "|" + QUOTED + ")"
RANGE = "(" + TOKEN + ")/(" + TOKEN + ")((?:" + OWS + ";" + OWS + "(?![qQ]=)" + TOKEN + "=" + VALUE + ")*)"
WEIGHT = OWS + ";" + OWS + r"[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)"
EXT = OWS + ";" + OWS + TOKEN + "(?:=" + VALUE + ")?"
ELEMENT = RANGE + "(?:" + WEIGHT + "(?:" + EXT + ")*)?"
ACCEPT_HEADER = re.compile("(?:(?:,|" + ELEMENT + ")(?:" + OWS + ",(?:" + OWS + ELEMENT + ")?)*)?")
MEDIA_RANGE = re.compile(ELEMENT)


class AccessLog:
    """Writes one line per request, after the response: oslo's request
    logging; in Go, accessLog. Put it outside FaultWrapper, so the 500 that
    an exception becomes is logged too."""

    def __init__(self, app, logger):
        self.app = app
        self.logger = logger

    def __call__(self, environ, start_response):
        start = time.monotonic()
        status = "200"

        def record(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line.split()[0]
            return start_response(status_line, headers, exc_info)

        def log(size):
            self.logger.info(logfmt(
                "request",
                method=environ["REQUEST_METHOD"],
                path=environ["PATH_INFO"],
                status=status,
                bytes=size,
                duration=f"{(time.monotonic() - start) * 1000:.3f}ms",
                request_id=environ.get(REQUEST_ID_KEY, "")))

        return finish_first(self.app(environ, record), log)


def finish_first(chunks, finish):
    """Yields a response body's chunks, and calls finish(size) before the
    last one goes out, so that what finish does (a log line, a count) is
    done before the client has the whole answer, as in Go, where a handler
    returns before its response is complete. An empty chunk, which only
    sends the headers, goes out at once."""
    held, size = b"", 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if not chunk:
                yield chunk
                continue
            if held:
                yield held
            held = chunk
    finally:
        finish(size)
    if held:
        yield held


def logfmt(msg, **fields):
    """Formats a message and its fields as key=value, as Go's slog text
    handler does: a value with spaces, quotes or control characters is
    quoted, so no client can forge a log line."""
    def value(v):
        v = str(v)
        plain = v and v.isprintable() and not any(c in v for c in ' ="\\')
        return v if plain else json.dumps(v)
    return " ".join([value(msg)] + [f"{k}={value(v)}" for k, v in fields.items()])


def chain(app, *middleware):
    """Wraps app in middleware, the first listed outermost:
    chain(app, m1, m2) is m1(m2(app))."""
    for wrap in reversed(middleware):
        app = wrap(app)
    return app


def new_handler(logger, max_body_size):
    """Wraps the application in its middleware, outermost first."""
    return chain(new_app(),
                 RequestId,                        # first: all inside see the id
                 functools.partial(AccessLog, logger=logger),
                 functools.partial(FaultWrapper, logger=logger),
                 functools.partial(SizeLimiter, max_size=max_body_size))


class QuietHandler(WSGIRequestHandler):
    """wsgiref's request handler, without its line per request on stderr:
    AccessLog writes one."""

    def log_message(self, format, *args):
        pass


def usage_error(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(prog=PROG, usage=argparse.SUPPRESS)
    parser.add_argument("-addr", default="localhost:8080", metavar="host:port",
                        help="listen on host:port (default %(default)s)")
    parser.add_argument("-max-body-size", type=int, metavar="bytes",
                        default=DEFAULT_MAX_BODY_SIZE,
                        help="refuse request bodies over bytes with 413 "
                             "(default %(default)s)")
    args = parser.parse_args()
    if args.max_body_size < 0:
        usage_error(f"-max-body-size {args.max_body_size}: must not be negative")
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        usage_error(f"-addr {json.dumps(args.addr)} is not host:port, such as "
                    "localhost:8080 (or :8080, to listen on every interface)")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logger = logging.getLogger()

    # Listen first, so a taken port or a bad address fails here, in one line.
    try:
        httpd = make_server(host, int(port),
                            new_handler(logger, args.max_body_size),
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
