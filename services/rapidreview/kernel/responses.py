"""Responses a command can deliver.

A command commits before its response is sent; a response over the server's
send limit would then reach the caller as RESOURCE_EXHAUSTED although the change
was stored (issue 14: a refused call stored data). So a command builds its
response inside its transaction and passes it through `deliverable`, which
refuses it — rolling the transaction back — when it could not be sent.
"""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import Message

from rapidreview.kernel.errors import ResourceExhausted

#: The server's send (and receive) limit, gRPC message bytes.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: What a response may take of it: the rest is room for the framing, headers and trailers.
MAX_RESPONSE_BYTES = MAX_MESSAGE_BYTES - 64 * 1024

M = TypeVar("M", bound=Message)


class ResponseTooLarge(ResourceExhausted):
    """The answer to a command would be larger than the server may send."""


def deliverable(response: M) -> M:
    """`response` itself, or ResponseTooLarge (RESOURCE_EXHAUSTED) when it could not be
    sent: raise it inside the command's transaction and nothing is stored."""
    if response.ByteSize() > MAX_RESPONSE_BYTES:
        raise ResponseTooLarge("the answer would exceed the 4 MB message limit; nothing was stored "
                               "(the case holds too much to return it whole)")
    return response
