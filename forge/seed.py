"""The demo seed: users first, then each app's demo data (deterministic, idempotent)."""

import os
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_STAFF_USERNAME = "admin"
DEMO_USER_USERNAME = "demo"


@dataclass
class DemoUsers:
    staff: object
    user: object
    passwords_created: dict[str, str]


@transaction.atomic
def demo_users_ensure() -> DemoUsers:
    """Create the staff and normal demo users if missing; return them and any new passwords."""
    User = get_user_model()
    created: dict[str, str] = {}
    users = {}
    for username, env_var, staff in (
        (DEMO_STAFF_USERNAME, "FORGE_DEMO_ADMIN_PASSWORD", True),
        (DEMO_USER_USERNAME, "FORGE_DEMO_USER_PASSWORD", False),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            password = os.environ.get(env_var) or secrets.token_urlsafe(12)
            user = User(
                username=username,
                email=f"{username}@forge.local",
                is_staff=staff,
                is_superuser=staff,
            )
            user.set_password(password)
            user.full_clean()
            user.save()
            if not os.environ.get(env_var):
                created[username] = password
        users[username] = user
    return DemoUsers(
        staff=users[DEMO_STAFF_USERNAME], user=users[DEMO_USER_USERNAME], passwords_created=created
    )
