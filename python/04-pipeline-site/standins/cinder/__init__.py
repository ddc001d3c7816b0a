"""A STAND-IN for cinder, not cinder: see nova's stand-in."""
