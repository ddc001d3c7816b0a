"""A STAND-IN for nova.api.openstack.requestlog: its RequestLog is the
twin's access log."""
import tutorial


class RequestLog:
    """Stands in for nova.api.openstack.requestlog.RequestLog."""
    factory = staticmethod(tutorial.accesslog_filter)
