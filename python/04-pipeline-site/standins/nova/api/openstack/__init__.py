"""A STAND-IN for nova.api.openstack: its FaultWrapper is the twin's."""
import tutorial


class FaultWrapper:
    """Stands in for nova.api.openstack.FaultWrapper."""
    factory = staticmethod(tutorial.faultwrap_filter)
