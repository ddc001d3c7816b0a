"""A STAND-IN for oslo_middleware.request_id: see the package."""
from oslo_middleware import RequestId  # noqa: F401
