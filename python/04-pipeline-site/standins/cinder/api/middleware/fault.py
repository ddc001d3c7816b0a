"""A STAND-IN for cinder.api.middleware.fault: the twin's FaultWrapper."""
import tutorial


class FaultWrapper:
    """Stands in for cinder.api.middleware.fault.FaultWrapper."""
    factory = staticmethod(tutorial.faultwrap_filter)
