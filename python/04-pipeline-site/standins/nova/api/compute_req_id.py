"""A STAND-IN for nova.api.compute_req_id: its ComputeReqIdMiddleware is
the twin's, the request id in both headers."""
import tutorial


class ComputeReqIdMiddleware:
    """Stands in for nova.api.compute_req_id.ComputeReqIdMiddleware."""
    factory = staticmethod(tutorial.compute_req_id_filter)
