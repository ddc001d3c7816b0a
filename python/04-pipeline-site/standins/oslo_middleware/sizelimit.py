"""A STAND-IN for oslo_middleware.sizelimit: see the package."""
from oslo_middleware import RequestBodySizeLimiter  # noqa: F401
