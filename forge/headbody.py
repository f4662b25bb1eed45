"""HEAD responses carry no body, whatever the application sends.

Django answers HEAD like GET and leaves it to the server to drop the body; daphne drops only
the first chunk it is given (`http_protocol.py`), and Django sends a response in 64 KiB chunks.
A HEAD of a larger response (a long list, the OpenAPI schema, a GLB) sent the rest of the
body after the headers, so a keep-alive client read it as the next response. This wrapper
empties every body message of a HEAD response; headers (Content-Length among them) are
kept, as HTTP asks.
"""


def head_bodies_dropped(app):
    """Wrap the ASGI HTTP application `app` so HEAD responses send headers only."""

    async def wrapped(scope, receive, send):
        if scope.get("method") != "HEAD":
            return await app(scope, receive, send)

        async def send_without_body(message):
            if message["type"] == "http.response.body" and message.get("body"):
                message = {**message, "body": b""}
            await send(message)

        return await app(scope, receive, send_without_body)

    return wrapped
