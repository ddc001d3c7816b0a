"""Step 03's Python twin: the application and middleware of step 02, served
by a threaded wsgiref server with timeouts, optional TLS, and a graceful
shutdown on SIGINT or SIGTERM.

    python3 python/03-server.py
    curl -i http://localhost:8080
"""
import argparse
import functools
import json
import logging
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

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


# MAX_SLEEP bounds /sleep, so no request can hold the server for long.
MAX_SLEEP = 30


def sleep(environ, start_response):
    """Answers GET /sleep?d=DURATION once the delay has passed: a slow
    request, to watch a graceful shutdown wait for it."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    try:
        delay = duration(query.get("d", [""])[0])
    except ValueError:
        delay = -1
    if not 0 <= delay <= MAX_SLEEP:
        return plain_error(start_response, "400 Bad Request",
                           "400 d must be a duration from 0s to 30s, such as d=5s")
    body = f"slept {format_duration(delay)}\n".encode()
    # Content-Length, known before the sleep, lets a client tell a cut
    # answer from a whole one: wsgiref's HTTP/1.0 ends a body without it
    # by closing the connection, which looks alike in both cases.
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return slept(delay, body)


def slept(delay, body):
    # An empty first chunk sends the header at once, so the client can see
    # that the request is in flight.
    yield b""
    time.sleep(delay)
    yield body


DURATION = re.compile(r"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration(text):
    """Reads a duration in seconds from Go's notation (500ms, 10s, 1m30s),
    so the twin takes the same flags and queries as the Go step."""
    parts = DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{text!r} is not a duration, such as 10s or 500ms")
    return sum(float(n) * UNITS[u] for n, u in parts)


def format_duration(seconds):
    """Writes seconds as Go writes a duration under a minute: 10s, 500ms."""
    if seconds == 0 or seconds >= 1:
        return f"{seconds:g}s"
    return f"{seconds * 1000:g}ms"


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
        "/sleep": {"GET": sleep, "HEAD": sleep},
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


class InFlight:
    """Counts the requests being handled, so that a shutdown can say how
    many it waits for, and how many it cut; in Go, countInFlight."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        return finish_first(self.app(environ, start_response), self.done)

    def done(self, size):
        with self.lock:
            self.count -= 1


class Handler(WSGIRequestHandler):
    """wsgiref's request handler, with a deadline for the request's headers,
    and without its line per request on stderr: AccessLog writes one."""

    # Any one read or write that stalls this long ends the connection: a
    # body trickled or a reader too slow; eventlet's socket timeout.
    timeout = MAX_SLEEP + 10

    # Huge headers eating memory get 431; nova's max_header_line.
    max_header_bytes = 16 << 10

    def setup(self):
        super().setup()
        # Slowloris, headers trickled to hold a connection, is cut when the
        # deadline passes; nova's client_socket_timeout.
        self.was_cut = False
        self.header_deadline = threading.Timer(
            self.server.read_header_timeout, self.cut)
        self.header_deadline.start()

    def cut(self):
        self.was_cut = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # it has closed already

    def parse_request(self):
        ok = super().parse_request()  # reads the headers
        self.header_deadline.cancel()
        if not ok or self.was_cut:
            return False  # answered already, or cut off
        size = sum(len(name) + len(value) + 4 for name, value in self.headers.items())
        if size > self.max_header_bytes:
            self.send_error(431)
            return False
        return True

    def finish(self):
        self.header_deadline.cancel()
        super().finish()

    def log_message(self, format, *args):
        pass


class Server(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server with a thread per connection: the twin of eventlet's
    wsgi.server, which gives each one a green thread."""

    daemon_threads = True  # the shutdown waits for requests, not threads

    def __init__(self, address, app, read_header_timeout, logger):
        self.read_header_timeout = read_header_timeout
        self.logger = logger
        self.connections = 0  # open, from accept to close
        self.changed = threading.Condition()
        super().__init__(address, Handler)
        self.set_app(app)

    def process_request(self, request, client_address):
        with self.changed:
            self.connections += 1
        super().process_request(request, client_address)  # starts a thread

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.changed:
                self.connections -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout):
        """Waits until every connection has been answered and closed, for
        timeout seconds at most, and reports whether they have."""
        with self.changed:
            return self.changed.wait_for(lambda: self.connections == 0, timeout)

    def shutdown_request(self, request):
        """Ends a connection after its answer, reading (a bounded amount
        of) what the client still sends, so that a client whose body was
        refused reads the answer rather than a reset; net/http does so."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(1)
            drained = 0
            while drained < 256 << 10:
                chunk = request.recv(64 << 10)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request, client_address):
        """Logs a connection's error in one line, not a traceback."""
        err = sys.exc_info()[1]
        what = "TLS handshake error" if isinstance(err, ssl.SSLError) else "error"
        self.logger.warning(logfmt(
            f"{what} from {client_address[0]}:{client_address[1]}: {err}"))


SIGNALS = {signal.SIGINT, signal.SIGTERM}


def wait_and_shut_down(httpd, in_flight, timeout):
    """Waits for SIGINT or SIGTERM, then shuts httpd down gracefully: it
    stops accepting, lets the requests in flight finish within timeout,
    and returns the exit status. oslo.service does this on SIGTERM."""
    sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()}: shutting down, waiting up to "
          f"{format_duration(timeout)} for requests in flight: {in_flight.count}",
          file=sys.stderr)
    threading.Thread(target=exit_on_second_signal, args=(in_flight,),
                     daemon=True).start()
    httpd.shutdown()      # serve_forever returns: nothing more is accepted
    httpd.socket.close()  # and new connections are refused
    if not httpd.wait_idle(timeout):
        print(f"shutdown: gave up waiting after {format_duration(timeout)}; "
              f"requests cut: {in_flight.count}", file=sys.stderr)
        return 1
    print("shutdown complete", file=sys.stderr)
    return 0


def exit_on_second_signal(in_flight):
    sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()} again: exiting now; "
          f"requests cut: {in_flight.count}", file=sys.stderr)
    os._exit(1)


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
    parser.add_argument("-shutdown-timeout", type=duration,
                        default="10s", metavar="duration",
                        help="on SIGINT or SIGTERM, wait this long for "
                             "requests in flight (default %(default)s)")
    parser.add_argument("-read-header-timeout", type=duration,
                        default="5s", metavar="duration",
                        help="disconnect a client that takes longer to send "
                             "its headers (default %(default)s)")
    parser.add_argument("-tls-cert", metavar="file",
                        help="serve HTTPS with this certificate file (PEM); "
                             "needs -tls-key")
    parser.add_argument("-tls-key", metavar="file",
                        help="the private key file (PEM) for -tls-cert")
    args = parser.parse_args()
    if args.max_body_size < 0:
        usage_error(f"-max-body-size {args.max_body_size}: must not be negative")
    if (args.tls_cert is None) != (args.tls_key is None):
        usage_error("-tls-cert and -tls-key go together: give both, or neither")
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        usage_error(f"-addr {json.dumps(args.addr)} is not host:port, such as "
                    "localhost:8080 (or :8080, to listen on every interface)")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logging.addLevelName(logging.WARNING, "WARN")  # as slog names it
    sys.exit(serve(new_handler(logging.getLogger(), args.max_body_size), args))


def serve(app, args):
    """Serves app as the flags in args say (-addr, -tls-cert, -tls-key,
    -read-header-timeout, -shutdown-timeout) until SIGINT or SIGTERM, and
    returns the exit status; step 04's twin serves its pipeline with it."""
    logger = logging.getLogger()
    context, scheme = None, "http"
    if args.tls_cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except OSError as err:
            sys.exit(f"{PROG}: loading -tls-cert and -tls-key: {err}")
        scheme = "https"

    # Block the signals before listening, and before any thread starts:
    # once "listening on" is printed, Ctrl-C must already mean "shut down
    # gracefully", and only sigwait receives it.
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

    # Listen first, so a taken port or a bad address fails here, in one line.
    in_flight = InFlight(app)
    host, _, port = args.addr.rpartition(":")
    try:
        httpd = Server((host, int(port)), in_flight,
                       args.read_header_timeout, logger)
    except (OSError, OverflowError) as err:
        sys.exit(f"{PROG}: listen on {args.addr}: {err}")
    if context is not None:
        # The handshake happens on the first read, in the connection's own
        # thread, so a slow or failed one holds up no other client.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                           do_handshake_on_connect=False)
    host, port = httpd.server_address[:2]
    print(f"listening on {scheme}://{host}:{port}", file=sys.stderr)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return wait_and_shut_down(httpd, in_flight, args.shutdown_timeout)


if __name__ == "__main__":
    main()
