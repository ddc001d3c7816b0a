"""Step 04's pipeline as OpenStack services ran it in 2016: webob
middleware in oslo.middleware's shape under eventlet's wsgi.server, one
access line per request. .ci/loadcheck measures step 04 against it.

Needs Debian's python3-eventlet and python3-webob, and their python3:

    apt-get install -y python3-eventlet python3-webob
    /usr/bin/python3 .ci/peers/eventlet_webob.py -addr 127.0.0.1:8080
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import webob  # noqa: E402
import webob.dec  # noqa: E402
import webob.exc  # noqa: E402
from eventlet import wsgi  # noqa: E402

GREETING = b" From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"
MAX_BODY_SIZE = 114688
LOG = logging.getLogger("api")


class Middleware:
    """oslo.middleware's base.Middleware: process_request on the way in
    (a response returned answers at once), process_response on the way
    out."""

    def __init__(self, app):
        self.app = app

    def process_request(self, req):
        return None

    def process_response(self, response, req):
        return response

    @webob.dec.wsgify
    def __call__(self, req):
        response = self.process_request(req)
        if response is not None:
            return response
        return self.process_response(req.get_response(self.app), req)


class RequestId(Middleware):
    """oslo.middleware's RequestId."""

    def process_request(self, req):
        req.environ["openstack.request_id"] = "req-" + str(uuid.uuid4())

    def process_response(self, response, req):
        response.headers["X-Openstack-Request-Id"] = req.environ["openstack.request_id"]
        return response


class RequestLog(Middleware):
    """nova's requestlog: one line per request, after the response."""

    @webob.dec.wsgify
    def __call__(self, req):
        start = time.monotonic()
        response = req.get_response(self.app)
        LOG.info("request method=%s path=%s status=%d bytes=%d duration=%.3fms request_id=%s",
                 req.method, req.path, response.status_int, response.content_length or 0,
                 (time.monotonic() - start) * 1000, req.environ.get("openstack.request_id"))
        return response


class FaultWrapper(Middleware):
    """nova's FaultWrapper: an exception becomes a JSON 500."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.app)
        except Exception:
            LOG.exception("panic")
            body = {"computeFault": {"code": 500, "message": "The server has either erred or is "
                                     "incapable of performing the requested operation."}}
            return webob.Response(status=500, content_type="application/json",
                                  body=json.dumps(body).encode())


class Healthcheck(Middleware):
    """oslo.middleware's Healthcheck."""

    def process_request(self, req):
        if req.path == "/healthcheck":
            return webob.Response(body=b"OK\n", content_type="text/plain")
        return None


class RequestBodySizeLimiter(Middleware):
    """oslo.middleware's RequestBodySizeLimiter, for declared lengths."""

    def process_request(self, req):
        if req.content_length is not None and req.content_length > MAX_BODY_SIZE:
            raise webob.exc.HTTPRequestEntityTooLarge()
        return None


@webob.dec.wsgify
def greeting(req):
    """The application: the greeting on GET /."""
    if req.path != "/" or req.method not in ("GET", "HEAD"):
        return webob.exc.HTTPNotFound()
    return webob.Response(body=GREETING, content_type="text/plain", charset=None)


def main():
    parser = argparse.ArgumentParser(prog="eventlet_webob")
    parser.add_argument("-addr", default="127.0.0.1:8080")
    args = parser.parse_args()
    host, port = args.addr.rsplit(":", 1)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="time=%(asctime)s level=%(levelname)s msg=%(message)s")
    app = greeting
    for layer in reversed([RequestId, RequestLog, FaultWrapper, Healthcheck, RequestBodySizeLimiter]):
        app = layer(app)
    sock = eventlet.listen((host, int(port)))
    print("listening on http://%s:%d" % sock.getsockname()[:2], file=sys.stderr, flush=True)
    wsgi.server(sock, app, log_output=False)


if __name__ == "__main__":
    main()
