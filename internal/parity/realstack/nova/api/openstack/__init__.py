"""A STAND-IN: nova's FaultWrapper and the Fault it answers with, ported
from nova's source for the parity test, since nova is not packaged.

FaultWrapper is nova/api/openstack/__init__.py at nova commit
bedb33ef04bf5710657fc46bceb68817dcbf83eb; Fault is nova/api/openstack/
wsgi.py at ef6f4e4c8ec82e2c9f9988fe2e04591ee01220e6. What the port leaves
out, and why it changes no answer here:

- nova's Request sets api_version_request from the microversion headers
  only in its API router, which this pipeline lacks: it stays null, and
  Fault adds no version headers, as here.
- translate() of the explanation to the client's Accept-Language: nova
  ships no message catalogue but English's, so the text is unchanged.
- nova's base_wsgi.Middleware.factory is Paste's filter factory that
  passes the section's options on; FaultWrapper takes none.
"""
import logging

import webob.dec
import webob.exc
from oslo_serialization import jsonutils

LOG = logging.getLogger(__name__)


def walk_class_hierarchy(clazz, encountered=None):
    """nova.utils.walk_class_hierarchy: every subclass, deepest first."""
    if not encountered:
        encountered = []
    for subclass in clazz.__subclasses__():
        if subclass not in encountered:
            encountered.append(subclass)
            for subsubclass in walk_class_hierarchy(subclass, encountered):
                yield subsubclass
            yield subclass


class Fault(webob.exc.HTTPException):
    """nova.api.openstack.wsgi.Fault: an HTTP error as nova's JSON body."""

    _fault_names = {
        400: "badRequest",
        401: "unauthorized",
        403: "forbidden",
        404: "itemNotFound",
        405: "badMethod",
        409: "conflictingRequest",
        413: "overLimit",
        415: "badMediaType",
        429: "overLimit",
        501: "notImplemented",
        503: "serviceUnavailable"}

    def __init__(self, exception):
        self.wrapped_exc = exception
        for key, value in list(self.wrapped_exc.headers.items()):
            self.wrapped_exc.headers[key] = str(value)
        self.status_int = exception.status_int

    @webob.dec.wsgify
    def __call__(self, req):
        code = self.wrapped_exc.status_int
        fault_name = self._fault_names.get(code, "computeFault")
        explanation = self.wrapped_exc.explanation
        fault_data = {
            fault_name: {
                'code': code,
                'message': explanation}}
        if code == 413 or code == 429:
            retry = self.wrapped_exc.headers.get('Retry-After', None)
            if retry:
                fault_data[fault_name]['retryAfter'] = retry
        self.wrapped_exc.content_type = 'application/json'
        self.wrapped_exc.charset = 'UTF-8'
        self.wrapped_exc.text = str(jsonutils.dumps(fault_data))
        return self.wrapped_exc

    def __str__(self):
        return self.wrapped_exc.__str__()


class FaultWrapper:
    """nova.api.openstack.FaultWrapper: calls down the middleware stack,
    making exceptions into faults."""

    _status_to_type = {}

    def __init__(self, application):
        self.application = application

    @classmethod
    def factory(cls, global_config, **local_config):
        return lambda app: cls(app, **local_config)

    @staticmethod
    def status_to_type(status):
        if not FaultWrapper._status_to_type:
            for clazz in walk_class_hierarchy(webob.exc.HTTPError):
                FaultWrapper._status_to_type[clazz.code] = clazz
        return FaultWrapper._status_to_type.get(
            status, webob.exc.HTTPInternalServerError)()

    def _error(self, inner, req):
        LOG.exception("Caught error: %s", inner)

        safe = getattr(inner, 'safe', False)
        headers = getattr(inner, 'headers', None)
        status = getattr(inner, 'code', 500)
        if status is None:
            status = 500

        msg_dict = dict(url=req.url, status=status)
        LOG.info("%(url)s returned with HTTP %(status)d", msg_dict)
        outer = self.status_to_type(status)
        if headers:
            outer.headers = headers
        if safe:
            outer.explanation = '%s: %s' % (inner.__class__.__name__, inner.message)
        return Fault(outer)

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except Exception as ex:
            return self._error(ex, req)
