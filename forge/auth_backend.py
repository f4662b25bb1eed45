"""The sign-in backend: Django's `ModelBackend`, with the per-request user lookup prepared.

Every signed-in request reads its user by the id in the session; that lookup is compiled
once (forge/prepared.py) instead of rebuilt by the ORM on every request. Everything else
(passwords, permissions, `is_active`) is `ModelBackend`'s.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from forge.prepared import PreparedQuery

BACKEND_PATH = "forge.auth_backend.ModelBackend"

_user_by_id = PreparedQuery(
    lambda user_id: get_user_model()._default_manager.filter(pk=user_id)[:1], user_id=int
)


class ModelBackend(DjangoModelBackend):
    """`ModelBackend` whose `get_user` (run on every signed-in request) is one prepared query."""

    def get_user(self, user_id):
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return super().get_user(user_id)
        user = _user_by_id.first(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
