"""API token services and selectors."""

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from forge.auththrottle import LockoutRead, auth_failure_note
from forge.exceptions import NotFoundError, ValidationFailedError
from forge.models import ApiToken
from forge.ownership import owned_rows_room_check
from forge.prepared import PreparedQuery

TOKEN_PREFIX = "forge_"  # noqa: S105 - a label, not a secret
MAX_ACTIVE_TOKENS = 50
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    """Return the stored form of a raw token."""
    # "surrogatepass": a lone surrogate (never in a real token) hashes instead of raising.
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token named `name` for `user`; return it and the raw token (shown once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailedError(
            "name: A token needs a name.", details={"name": ["This field is required."]}
        )
    if len(name) > 100:
        raise ValidationFailedError(
            "name: At most 100 characters.",
            details={"name": ["Ensure this field has no more than 100 characters."]},
        )
    owned_rows_room_check(
        owner=user,
        rows=api_token_list(user=user),
        limit=MAX_ACTIVE_TOKENS,
        message=f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.",
    )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=token_hash(raw)
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id) -> ApiToken:
    """Revoke one of `user`'s tokens; another user's token is not found."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(user=user, id=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise NotFoundError("No such active token.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """Return `user`'s active tokens, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


# Every API call signed with a token runs this: compiled once (forge/prepared.py).
_active_token_by_hash = PreparedQuery(
    lambda key_hash: (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .order_by("pk")[:1]
    ),
    key_hash=str,
)


def api_token_find(*, raw: str) -> ApiToken | None:
    """Return the active token matching `raw` with its user, or None; nothing is written."""
    return _active_token_by_hash.first(key_hash=token_hash(raw))


def api_token_used(token: ApiToken) -> None:
    """Note that `token` was used now (at most one write a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class TokenAttempt(NamedTuple):
    token: ApiToken | None  # the active token, if the attempt may use it
    locked_out_seconds: int  # > 0: the address is locked out; nothing was checked or written


def api_token_attempt(*, raw: str | None, address: str) -> TokenAttempt:
    """Check a bearer token sent from `address` under the brute-force rule (forge/auththrottle.py).

    Every way in (the API, `/media/` files, live-status websockets) goes through here. The
    address's lock-out is read from Redis while the token is looked up in PostgreSQL, so the
    check adds no round trip. A locked-out address is refused whatever it sent, before
    anything is written. Otherwise a wrong token counts against the address and a right one
    notes its use. `raw` None (a malformed header) is looked up nowhere and counted nowhere,
    but still meets the lock-out.
    """
    with LockoutRead(address=address) as lockout:
        token = api_token_find(raw=raw) if raw is not None else None
        wait = lockout.wait()
    if wait:
        return TokenAttempt(None, wait)
    if token is not None:
        api_token_used(token)
    elif raw is not None:
        auth_failure_note(address=address)
    return TokenAttempt(token, 0)
