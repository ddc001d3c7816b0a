"""A STAND-IN for cinder.api.middleware."""
