"""A STAND-IN for nova.api.compute_req_id: the twin's request id."""
import tutorial


class ComputeReqIdMiddleware:
    """Stands in for nova.api.compute_req_id.ComputeReqIdMiddleware."""
    factory = staticmethod(tutorial.request_id_filter)
