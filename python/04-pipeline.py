"""Step 04's Python twin: step 03's application and middleware, put together
at start-up from a Paste Deploy-style api-paste.ini (the Go step's own),
read with configparser, and reloaded on SIGHUP.

    python3 python/04-pipeline.py
    python3 python/04-pipeline.py -print
    curl -i http://localhost:8080
"""
import argparse
import configparser
import dataclasses
import functools
import hashlib
import hmac
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
    an http.Handler. Its message comes from the config."""

    def __init__(self, message):
        self.message = message

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(self.message)))])
        return [self.message]


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


def paths(environ, start_response):
    """Answers with the prefix a urlmap moved and the path left for the
    app: SCRIPT_NAME and PATH_INFO."""
    body = f"SCRIPT_NAME={environ.get('SCRIPT_NAME', '')} " \
           f"PATH_INFO={environ['PATH_INFO']}\n".encode()
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
        # PATH_INFO is empty at the root of an app that a urlmap mounted.
        methods = self.routes.get(environ["PATH_INFO"] or "/")
        if methods is None:
            return plain_error(start_response, "404 Not Found",
                               "404 page not found")
        app = methods.get(environ["REQUEST_METHOD"])
        if app is None:
            allow = ", ".join(methods)
            return plain_error(start_response, "405 Method Not Allowed",
                               "Method Not Allowed", [("Allow", allow)])
        return app(environ, start_response)


def new_app(message):
    """Routes requests to the application; GET routes answer HEAD too.
    /sleep is an app of its own now, mounted by the config."""
    greeter = Greeter(message)
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
    """Turns an exception anywhere inside it into a 500 with a small JSON
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
            body = json.dumps({"computeFault": {
                "code": 500,
                "message": "The server has either erred or is incapable of "
                           "performing the requested operation.",
                "request_id": request_id,
            }}, separators=(",", ":")).encode() + b"\n"
            # exc_info replaces the app's status and headers, if they are
            # not sent yet; if they are, the server ends the connection.
            start_response("500 Internal Server Error",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))],
                           sys.exc_info())
            yield body


class SizeLimiter:
    """Refuses request bodies over max_size bytes with 413, before the app
    runs: oslo.middleware's RequestBodySizeLimiter; in Go, sizeLimit."""

    def __init__(self, app, max_size):
        self.app = app
        self.max_size = max_size

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # wsgiref does not decode chunked bodies (eventlet does), so the
            # size of one is unknown, and reading it would never end.
            return plain_error(start_response, "411 Length Required",
                               "411 a request body needs a Content-Length")
        if int(environ.get("CONTENT_LENGTH") or 0) > self.max_size:
            return plain_error(
                start_response, "413 Request Entity Too Large",
                f"413 request body larger than {self.max_size} bytes")
        return self.app(environ, start_response)


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
        # The path as the client sent it: a urlmap outside may have moved a
        # prefix to SCRIPT_NAME, and one inside may move more.
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")

        def record(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line.split()[0]
            return start_response(status_line, headers, exc_info)

        def log(size):
            self.logger.info(logfmt(
                "request",
                method=environ["REQUEST_METHOD"],
                path=path,
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


class Healthcheck:
    """Answers requests for path with 200 OK, without calling the app, and
    passes every other request on: oslo.middleware's Healthcheck, which
    load balancers poll."""

    def __init__(self, app, path):
        self.app = app
        self.path = path

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] != self.path:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", "3")])
        return [b"OK\n"]


class AuthToken:
    """Lets a request through only if its X-Auth-Token header equals token,
    and answers 401 otherwise: a stand-in for keystonemiddleware's
    auth_token, which asks Keystone instead. The token is never logged."""

    def __init__(self, app, token):
        self.app = app
        self.want = hashlib.sha256(token.encode()).digest()

    def __call__(self, environ, start_response):
        # Compare digests in constant time: the time taken reveals neither
        # the token nor its length.
        got = hashlib.sha256(environ.get("HTTP_X_AUTH_TOKEN", "").encode()).digest()
        if hmac.compare_digest(got, self.want):
            return self.app(environ, start_response)
        body = json.dumps({"error": {
            "code": 401,
            "message": "The request you have made requires authentication.",
            "title": "Unauthorized",
        }}, separators=(",", ":")).encode() + b"\n"
        start_response("401 Unauthorized",
                       [("Content-Type", "application/json"),
                        ("WWW-Authenticate", 'Token realm="api"'),
                        ("Content-Length", str(len(body)))])
        return [body]


class URLMap:
    """Sends each request to the app whose prefix matches its path, the
    longest first, on whole path segments: Paste's urlmap. The prefix moves
    from PATH_INFO to SCRIPT_NAME. A path that matches nothing gets 404."""

    def __init__(self, mounts):
        # The longest prefix first, so /v1/admin wins over /v1.
        self.mounts = sorted(mounts, key=lambda mount: -len(mount[0]))

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        for prefix, app in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):  # not /v10
                environ = dict(environ,
                               SCRIPT_NAME=environ.get("SCRIPT_NAME", "") + prefix,
                               PATH_INFO=path[len(prefix):])
                return app(environ, start_response)
        return plain_error(start_response, "404 Not Found", "404 page not found")


def urlmap_factory(keys, load):
    """Builds a URLMap from its section's keys, "/prefix = app"."""
    for key in keys:
        if not key.startswith("/"):
            raise OptionError(key, "is not a path: a urlmap key is a /prefix")
    if not keys:
        raise ValueError("urlmap has no /prefix = app keys")
    return URLMap([(key.rstrip("/"), load(key, name))
                   for key, name in sorted(keys.items())])


@dataclasses.dataclass
class Factory:
    """Builds one kind of piece from its section's options: a Paste factory
    (paste.app_factory, paste.filter_factory, paste.composite_factory).
    make(options) returns an app; for a filter, a function from app to app;
    for a composite, make(keys, load) loads its apps by name."""
    kind: str      # "app", "filter" or "composite"
    name: str      # its name in the registry, as egg:...#name names it
    make: object
    options: tuple = ()  # the options it reads; None for a composite


class OptionError(ValueError):
    """A bad option value, reported at the option's line."""

    def __init__(self, key, message):
        super().__init__(f"{key}: {message}")
        self.key = key


def int_option(options, key, default):
    """Reads a whole number of bytes, or returns default."""
    text = options.get(key)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()):
        raise OptionError(key, f'"{text}" is not a whole number of bytes')
    return int(text)


def healthcheck_filter(options):
    path = options.get("path", "/healthcheck")
    if not path.startswith("/"):
        raise OptionError("path", f'"{path}" must start with /')
    return lambda app: Healthcheck(app, path)


def authtoken_filter(options):
    if not options.get("token"):
        raise OptionError("token", "must be set, and not empty")
    return lambda app: AuthToken(app, options["token"])


def new_registry(logger):
    """Returns every factory a config can name: the entry points Paste
    Deploy finds in installed packages. Each is listed under its own name
    (egg:AnyDist#name), and under the Python paths OpenStack configs use,
    so a real api-paste.ini loads as far as the registry goes."""
    registry = {}

    def add(factory, *python_paths):
        for key in (factory.name, *python_paths):
            registry[key] = factory

    add(Factory("app", "greeting", lambda options: new_app(
        (options["message"] + "\n").encode() if "message" in options else GREETING),
        ("message",)))
    add(Factory("app", "sleep", lambda options: sleep))
    add(Factory("app", "paths", lambda options: paths))
    add(Factory("filter", "request_id", lambda options: RequestId),
        "oslo_middleware:RequestId.factory",
        "oslo_middleware.request_id:RequestId.factory",
        "nova.api.compute_req_id:ComputeReqIdMiddleware.factory")
    add(Factory("filter", "faultwrap",
                lambda options: functools.partial(FaultWrapper, logger=logger)),
        "nova.api.openstack:FaultWrapper.factory",
        "cinder.api.middleware.fault:FaultWrapper.factory")
    add(Factory("filter", "accesslog",
                lambda options: functools.partial(AccessLog, logger=logger)),
        "nova.api.openstack.requestlog:RequestLog.factory")
    add(Factory("filter", "sizelimit", lambda options: functools.partial(
        SizeLimiter, max_size=int_option(options, "max_request_body_size",
                                         DEFAULT_MAX_BODY_SIZE)),
        ("max_request_body_size",)),
        "oslo_middleware:RequestBodySizeLimiter.factory",
        "oslo_middleware.sizelimit:RequestBodySizeLimiter.factory")
    add(Factory("filter", "healthcheck", healthcheck_filter, ("path",)),
        "oslo_middleware:Healthcheck.factory",
        "oslo_middleware.healthcheck:Healthcheck.factory")
    add(Factory("filter", "authtoken", authtoken_filter, ("token",)))
    add(Factory("composite", "urlmap", urlmap_factory, None),
        "paste.urlmap:urlmap_factory",
        "nova.api.openstack.urlmap:urlmap_factory")
    return registry


class ConfigError(Exception):
    """A mistake in the config: FILE:LINE: what is wrong."""


KINDS = ("app", "filter", "pipeline", "composite")
PROTOCOLS = {"paste.app_factory": "app", "paste.filter_factory": "filter",
             "paste.composite_factory": "composite"}
SECTION_LINE = re.compile(r"\[(?P<name>[^]]+)\]")
KEY_LINE = re.compile(r"(?P<key>[^=:]*?)\s*[=:]")


def read_config(path):
    """Reads the config at path with configparser, as Paste Deploy does:
    [DEFAULT]'s keys are every section's, %(name)s is interpolated, and
    %(here)s is the config's folder. Keys keep their case."""
    here = os.path.dirname(os.path.abspath(path))
    parser = configparser.ConfigParser(defaults={"here": here, "__file__": path})
    parser.optionxform = str
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except OSError as err:
        raise ConfigError(f"open {path}: {err.strerror}") from None
    except configparser.MissingSectionHeaderError as err:
        raise ConfigError(f"{path}:{err.lineno}: no [section] header before "
                          f"{err.line.strip()!r}") from None
    except configparser.ParsingError as err:
        lineno = err.errors[0][0]
        raise ConfigError(f"{path}:{lineno}: not a key = value, a [section] "
                          "or a comment") from None
    except configparser.DuplicateSectionError as err:
        raise ConfigError(f"{path}:{err.lineno}: [{err.section}] again") from None
    except configparser.DuplicateOptionError as err:
        raise ConfigError(f"{path}:{err.lineno}: {err.option!r} again in "
                          f"[{err.section}]") from None
    return parser


def key_lines(path):
    """Finds the line of every section and key in the config at path:
    configparser keeps values, not lines, and every error names one."""
    lines, section = {}, None
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip() or text[0] in "#;" or text[0].isspace():
                continue  # a blank line, a comment or a continued value
            if match := SECTION_LINE.match(text):
                section = match["name"]
                lines[section] = number
            elif match := KEY_LINE.match(text):
                lines[section, match["key"]] = number
    return lines


@dataclasses.dataclass
class Node:
    """One piece of the built tree, as -print shows it."""
    label: str          # what it is: "pipeline:main", "filter:sizelimit"
    where: str = ""     # FILE:LINE of its section; "" for a urlmap prefix
    factory: str = ""   # the registry's name for it; "" for a pipeline
    missing: bool = False  # not in the registry: only -print gets this far
    options: list = dataclasses.field(default_factory=list)
    children: list = dataclasses.field(default_factory=list)


class Loader:
    """Builds the app a config names: Paste Deploy's loadapp. It reads the
    sections, finds each one's factory in the registry, and nests the
    results; every mistake is a ConfigError, FILE:LINE: what is wrong."""

    def __init__(self, path, registry, printing=False):
        self.path = path
        self.registry = registry
        self.printing = printing  # a factory not in the registry is shown
        self.parser = read_config(path)
        self.lines = key_lines(path)
        self.stack = []  # the sections being built, to catch cycles
        self.built = {}  # sections built so far: a urlmap may name one twice
        for section in self.parser.sections():
            kind = section.partition(":")[0]
            if kind not in KINDS:
                raise self.error(self.lines[section], f'unknown section type '
                                 f'"{kind}" in [{section}]: want app, filter, '
                                 'pipeline or composite')

    def error(self, line, message):
        return ConfigError(f"{self.path}:{line}: {message}")

    def where(self, section):
        return f"{self.path}:{self.lines[section]}"

    def find(self, name, *kinds):
        """Returns the section called name of one of kinds, or None."""
        for kind in kinds:
            if self.parser.has_section(f"{kind}:{name}"):
                return f"{kind}:{name}"
        return None

    def own_keys(self, section):
        """Returns the keys section sets itself, not those of [DEFAULT]."""
        return [key for key in self.parser.options(section)
                if (section, key) in self.lines]

    def value(self, section, key):
        """Returns key's value in section, with %(name)s interpolated."""
        try:
            return self.parser.get(section, key)
        except configparser.InterpolationMissingOptionError as err:
            raise self.error(self.lines[section, key], f"%({err.reference})s: "
                             "no such key here or in [DEFAULT]") from None
        except configparser.InterpolationError as err:
            raise self.error(self.lines[section, key], str(err)) from None

    def load_app(self, name):
        """Builds the app, pipeline or composite called name, and returns
        it with its tree."""
        section = self.find(name, "app", "pipeline", "composite")
        if section is None:
            raise ConfigError(f"{self.path}: -name {name}: there is no "
                              f"[app:{name}], [pipeline:{name}] or [composite:{name}]")
        return self.build(section)

    def build(self, section):
        if section in self.stack:
            cycle = self.stack[self.stack.index(section):] + [section]
            raise self.error(self.lines[section],
                             "reference cycle: " + " -> ".join(cycle))
        if section not in self.built:
            self.stack.append(section)
            try:
                if section.startswith("pipeline:"):
                    self.built[section] = self.build_pipeline(section)
                else:
                    self.built[section] = self.build_section(section)
            finally:
                self.stack.pop()
        return self.built[section]

    def build_pipeline(self, section):
        """Builds "pipeline = f1 f2 ... app": the filters wrap the app, the
        first named outermost, as Paste applies them."""
        names, line = [], self.lines[section]
        for key in self.own_keys(section):
            if key == "pipeline":
                names, line = self.value(section, key).split(), self.lines[section, key]
            elif not key.startswith("set "):  # set: a global, for nobody here
                raise self.error(self.lines[section, key], f"[{section}] takes "
                                 f'only pipeline = ..., not "{key}"')
        if not names:
            raise self.error(line, f"[{section}] needs pipeline = filter ... app")
        last = names[-1]
        app_section = self.find(last, "app", "pipeline", "composite")
        if app_section is None:
            if self.find(last, "filter"):
                raise self.error(line, f'pipeline ends with filter "{last}": the '
                                 "last name must be an app, a pipeline or a composite")
            raise self.error(line, f'pipeline ends with "{last}": no [app:{last}], '
                             f"[pipeline:{last}] or [composite:{last}]")
        node = Node(section, self.where(section))
        filters = []
        for name in names[:-1]:
            filter_section = self.find(name, "filter")
            if filter_section is None:
                raise self.error(line, f'pipeline names "{name}", but there is '
                                 f"no [filter:{name}]")
            wrap, filter_node = self.build_section(filter_section)
            filters.append(wrap)
            node.children.append(filter_node)
        app, app_node = self.build(app_section)
        node.children.append(app_node)
        for wrap in reversed(filters):
            app = wrap(app) if app is not None else None  # None: -print, a piece missing
        return app, node

    def build_section(self, section):
        """Builds an app, filter or composite section from its factory."""
        kind = section.partition(":")[0]
        factory, name, options, local, shown, lines = self.resolve(section)
        node = Node(section, self.where(section), name, factory is None, shown)
        if factory is None:
            return (lambda app: app) if kind == "filter" else None, node
        if factory.kind != kind:
            article = "n" if factory.kind[0] in "aeiou" else ""
            raise self.error(self.lines[section], f"[{section}] uses {name}, "
                             f"which makes a{article} {factory.kind}, not a {kind}")

        def load(key, name):  # for a composite: the app its key names
            child = self.find(name, "app", "pipeline", "composite")
            if child is None:
                raise self.error(lines[key], f"{key} = {name}: no [app:{name}], "
                                 f"[pipeline:{name}] or [composite:{name}]")
            app, child_node = self.build(child)
            node.children.append(Node(key, children=[child_node]))
            return app

        try:
            if kind == "composite":
                node.options = []  # its keys are its children, shown below it
                return factory.make(local, load), node
            return factory.make(options), node
        except OptionError as err:
            raise self.error(lines.get(err.key, self.lines[section]),
                             f"[{section}] {err}") from None
        except ValueError as err:
            raise self.error(self.lines[section], f"[{section}]: {err}") from None

    def resolve(self, section):
        """Finds section's factory and options: the [DEFAULT] globals,
        overridden by its set keys, overridden by its own keys, as
        oslo.middleware's factories merge global_conf and local_conf."""
        kind = section.partition(":")[0]
        entries, ref, ref_line = self.inherit(section, [])
        if ref is None:
            raise self.error(self.lines[section], f"[{section}] names no factory: "
                             f"add use = egg:...#name or paste.{kind}_factory = module:object")
        key = ref
        if ref.startswith("egg:"):
            key = ref.partition("#")[2] or "main"  # egg:Dist is egg:Dist#main
        elif ref.startswith("call:"):
            key = ref[len("call:"):]
        elif ref.startswith("config:"):
            raise self.error(ref_line, f"use = {ref}: config: URIs (another "
                             "file) are not supported")
        factory = self.registry.get(key)
        if factory is None and not self.printing:
            names = sorted({f.name for f in self.registry.values()})
            raise self.error(ref_line, f"{ref} is not in the registry "
                             f"(it has: {', '.join(names)})")
        name = factory.name if factory else ref
        globals_ = [key for key in self.parser.defaults()
                    if ("DEFAULT", key) in self.lines]
        options = {key: self.value("DEFAULT", key) for key in globals_}
        lines = {key: self.lines["DEFAULT", key] for key in globals_}
        local, shown = {}, []
        for key, source in entries.items():
            if key == "use" or key in PROTOCOLS:
                continue
            value = self.value(source, key)
            lines[key.removeprefix("set ").strip()] = self.lines[source, key]
            if key.startswith("set "):
                key = key.removeprefix("set ").strip()
                shown.append(f"set {key} = {value}")
            elif key in globals_:
                raise self.error(self.lines[source, key], f"{key} is also in "
                                 "[DEFAULT], and Paste ignores it here: write "
                                 f"set {key} = ... to override it")
            elif factory and factory.options is not None and key not in factory.options:
                if not self.printing:
                    raise self.error(self.lines[source, key], f'{name} has no option '
                                     f'"{key}" (it has: {", ".join(factory.options)})')
                shown.append(f"{key} = {value}  (not an option of the twin)")
                continue
            else:
                shown.append(f"{key} = {shown_value(key, value)}")
                local[key] = value
            options[key] = value
        return factory, name, options, local, shown, lines

    def inherit(self, section, seen):
        """Returns section's keys, with those of the sections it uses (use =
        othersection) underneath, each mapped to the section that sets it,
        and what names its factory: a use or paste.*_factory value, and its
        line."""
        if section in seen:
            raise self.error(self.lines[section], "reference cycle: " +
                             " -> ".join(seen + [section]))
        kind = section.partition(":")[0]
        ref = ref_line = None
        keys = self.own_keys(section)
        for key in keys:
            protocol = PROTOCOLS.get(key)
            if protocol and protocol != kind:
                raise self.error(self.lines[section, key], f"{key} in an [{kind}:] "
                                 f"section: it names a {protocol} factory")
            if protocol or key == "use":
                if ref is not None:
                    raise self.error(self.lines[section, key], f"[{section}] names "
                                     f"its factory twice: give use or "
                                     f"paste.{kind}_factory, not both")
                ref, ref_line = self.value(section, key), self.lines[section, key]
        entries = {key: section for key in keys}
        if ref is not None and ":" not in ref:  # use = othersection
            base = self.find(ref, kind)
            if base is None:
                raise self.error(ref_line, f"use = {ref}: there is no [{kind}:{ref}]")
            base_entries, ref, ref_line = self.inherit(base, seen + [section])
            entries = {**{k: v for k, v in base_entries.items() if k not in entries},
                       **entries}
        return entries, ref, ref_line


def shown_value(key, value):
    """Hides secrets from -print: a token is never shown or logged."""
    if any(word in key for word in ("token", "password", "secret")):
        return "<hidden>"
    return value


def print_node(node, indent=""):
    """Prints node and what is inside it, indented, one piece a line: what
    it is, its factory, where it is defined, then its options."""
    line = indent
    if not node.where:  # a urlmap prefix: "/v1 -> " and what it leads to
        line += f"{node.label} -> "
        node = node.children[0]
    if not node.factory:  # a pipeline
        print(f"{line}{node.label}  {node.where}")
    elif node.missing:
        print(f"{line}{node.label}: {node.factory}, which is not in the "
              f"registry  {node.where}")
    else:
        print(f"{line}{node.label}: {node.factory}  {node.where}")
    for option in node.options:
        option = option.replace("\n", "\n" + indent + "      ")  # a continued value
        print(f"{indent}    {option}")
    for child in node.children:
        print_node(child, indent + "  ")


def load_config(path, name, logger, printing=False):
    """Builds the app, pipeline or composite called name in the config at
    path. With printing, a factory not in the registry is no error."""
    return Loader(path, new_registry(logger), printing).load_app(name)


class Swappable:
    """Serves the app stored last: SIGHUP stores a new one, and requests
    already inside the old one finish there."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


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


SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def wait_and_shut_down(httpd, in_flight, reload, timeout):
    """Waits for a signal. SIGHUP calls reload. SIGINT or SIGTERM shuts
    httpd down gracefully: it stops accepting, lets the requests in flight
    finish within timeout, and returns the exit status. oslo.service does
    this on SIGHUP and SIGTERM."""
    sig = signal.sigwait(SIGNALS)
    while sig == signal.SIGHUP:
        reload()
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
    while sig == signal.SIGHUP:  # no reloading while shutting down
        sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()} again: exiting now; "
          f"requests cut: {in_flight.count}", file=sys.stderr)
    os._exit(1)


# The shipped config, found from the repository's root, where the tutorial
# runs every command.
DEFAULT_CONFIG = "steps/04-pipeline/api-paste.ini"


def usage_error(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(prog=PROG, usage=argparse.SUPPRESS)
    parser.add_argument("-addr", default="localhost:8080", metavar="host:port",
                        help="listen on host:port (default %(default)s)")
    parser.add_argument("-config", default=DEFAULT_CONFIG,
                        metavar="file", help="the Paste Deploy-style config "
                        "file (default %(default)s)")
    parser.add_argument("-name", default="main", metavar="section",
                        help="the app, pipeline or composite section to serve "
                             "(default %(default)s)")
    parser.add_argument("-print", action="store_true",
                        help="print what the config builds, and exit")
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
    if (args.tls_cert is None) != (args.tls_key is None):
        usage_error("-tls-cert and -tls-key go together: give both, or neither")
    if args.config == DEFAULT_CONFIG and not os.path.exists(DEFAULT_CONFIG):
        usage_error(f"no {DEFAULT_CONFIG} in {os.getcwd()}: run from the "
                    "repository's root, or give -config path/to/api-paste.ini")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logging.addLevelName(logging.WARNING, "WARN")  # as slog names it
    logger = logging.getLogger()

    try:
        app, tree = load_config(args.config, args.name, logger, args.print)
    except ConfigError as err:
        usage_error(err)  # a config mistake is a usage mistake: status 2
    if args.print:
        print_node(tree)
        return
    handler = Swappable(app)

    def reload():
        try:
            handler.app, _ = load_config(args.config, args.name, logger)
        except ConfigError as err:
            print(f"hangup: reload failed, still serving the previous "
                  f"pipeline: {err}", file=sys.stderr)
            return
        print(f"hangup: reloaded {args.config}", file=sys.stderr)

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
    host, _, port = args.addr.rpartition(":")
    if not (port.isascii() and port.isdigit()):
        sys.exit(f"{PROG}: listen on {args.addr}: want host:port")
    in_flight = InFlight(handler)
    try:
        httpd = Server((host, int(port)), in_flight,
                       args.read_header_timeout, logger)
    except OSError as err:
        sys.exit(f"{PROG}: listen on {args.addr}: {err}")
    if context is not None:
        # The handshake happens on the first read, in the connection's own
        # thread, so a slow or failed one holds up no other client.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                           do_handshake_on_connect=False)
    host, port = httpd.server_address[:2]
    print(f"listening on {scheme}://{host}:{port}", file=sys.stderr)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sys.exit(wait_and_shut_down(httpd, in_flight, reload, args.shutdown_timeout))


if __name__ == "__main__":
    main()
