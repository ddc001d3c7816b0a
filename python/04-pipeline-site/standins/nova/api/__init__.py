"""A STAND-IN for nova.api: see the nova package."""
