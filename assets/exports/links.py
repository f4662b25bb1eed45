"""Signed download links: the export's id and an expiry, signed with SECRET_KEY.

A link never outlives its export's files, and is only honoured for the export's owner (or
staff): a leaked link is useless to anyone else.
"""

from datetime import datetime

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from forge.exceptions import NotFoundError

SALT = "forge.exports.download"


def export_link_make(job, *, expires_at: datetime | None = None) -> str:
    """Return the signed download path of `job`'s file, valid until its files expire."""
    until = job.expires_at if expires_at is None else min(expires_at, job.expires_at)
    token = signing.dumps({"e": str(job.pk), "x": int(until.timestamp())}, salt=SALT, compress=True)
    return reverse("exports:download", kwargs={"token": token})


def export_link_read(token: str) -> str:
    """Return the export id a link names; raise NotFoundError for a forged or expired link."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise NotFoundError("This download link is not valid.") from None
    if not isinstance(payload, dict) or "e" not in payload or "x" not in payload:
        raise NotFoundError("This download link is not valid.")
    if timezone.now().timestamp() >= int(payload["x"]):
        raise NotFoundError(
            "This download link has expired. Open the export from your exports page to get a "
            "new one, or export the asset again."
        )
    return payload["e"]
