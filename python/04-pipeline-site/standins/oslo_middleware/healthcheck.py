"""A STAND-IN for oslo_middleware.healthcheck: see the package."""
from oslo_middleware import Healthcheck  # noqa: F401
