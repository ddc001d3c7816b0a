"""A STAND-IN: nova's ComputeReqIdMiddleware, ported from
nova/api/compute_req_id.py at nova commit
d9d300d5c80265c741f26cc3cdca3ef8d08e6e81 (the whole of it but the
licence): the real oslo.middleware RequestId, with nova's older header
too."""
from oslo_middleware import request_id

HTTP_RESP_HEADER_REQUEST_ID = 'x-compute-request-id'


class ComputeReqIdMiddleware(request_id.RequestId):
    compat_headers = [HTTP_RESP_HEADER_REQUEST_ID]
