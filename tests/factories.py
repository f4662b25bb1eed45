"""Factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """Build a token through the service so the hash is right; `raw` holds the secret."""

    class Meta:
        model = "forge.ApiToken"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"token {n}")

    @classmethod
    def _create(cls, model_class, *args, user=None, name="token", **kwargs):
        from forge.tokens import api_token_create

        token, raw = api_token_create(user=user, name=name)
        token.raw = raw
        return token
