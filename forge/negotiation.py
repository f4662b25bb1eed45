"""Content negotiation: an unknown `?format=` is a 406 naming the formats, not a 404."""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation; a format no renderer has is refused as not acceptable.

    DRF answers 404 there, which reads as "no such endpoint" for `/api/v1/tokens/?format=xml`.
    """

    def filter_renderers(self, renderers, format):  # noqa: A002 - DRF's signature
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            formats = sorted({renderer.format for renderer in renderers})
            raise NotAcceptable(
                f"No response format {format[:40]!r} here; available: {', '.join(formats)}."
            )
        return chosen
