"""A STAND-IN for oslo.middleware, not oslo.middleware: its factories make
the step-04 twin's pieces, under the names OpenStack configs give them."""
import tutorial


class RequestId:
    """Stands in for oslo_middleware.RequestId."""
    factory = staticmethod(tutorial.request_id_filter)


class RequestBodySizeLimiter:
    """Stands in for oslo_middleware.RequestBodySizeLimiter."""
    factory = staticmethod(tutorial.sizelimit_filter)


class Healthcheck:
    """Stands in for oslo_middleware.Healthcheck, as a filter and as an app."""
    factory = staticmethod(tutorial.healthcheck_filter)
    app_factory = staticmethod(tutorial.healthcheck_app)
