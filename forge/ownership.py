"""How many rows of one kind a user may own: a cap checked under a lock on the user's row.

Lists a user owns without pages (API tokens, export presets, characters) are bounded by
capping what one user can create. The check locks the owner's row for the rest of the
transaction, so two concurrent creates cannot both see room for one more.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from forge.exceptions import ValidationFailedError


def owned_rows_room_check(*, owner, rows: QuerySet, limit: int, message: str) -> None:
    """Refuse (400 `validation_failed`) when `owner` already has `limit` of `rows`.

    Call inside the transaction that creates the row; `message` says what to do instead.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("owned_rows_room_check must run inside the creating transaction")
    get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()
    if rows.count() >= limit:
        raise ValidationFailedError(message, details={"limit": limit})
