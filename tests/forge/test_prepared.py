"""Prepared queries (forge/prepared.py) return exactly what the ORM's QuerySet returns."""

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from assets.models import Asset, AssetVariant
from forge import prepared
from forge.models import ApiToken
from forge.prepared import PreparedQuery
from tests.assets.factories import AssetFactory, AssetVariantFactory
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db


def _active_token(key_hash):
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .order_by("pk")[:1]
    )


def test_a_prepared_query_returns_the_querysets_rows_with_their_related_objects(
    django_assert_num_queries,
):
    tokens = ApiTokenFactory.create_batch(3)
    query = PreparedQuery(_active_token, key_hash=str)
    for token in tokens:
        with django_assert_num_queries(1):
            found = query.first(key_hash=token.key_hash)
            assert found.user.username == token.user.username  # select_related: no query
        expected = _active_token(token.key_hash)[0]
        assert found == expected and found.user == expected.user
        assert {f.attname: getattr(found, f.attname) for f in ApiToken._meta.fields} == {
            f.attname: getattr(expected, f.attname) for f in ApiToken._meta.fields
        }
    assert query.first(key_hash="no such hash") is None
    tokens[0].user.is_active = False
    tokens[0].user.save()
    assert query.first(key_hash=tokens[0].key_hash) is None


def test_values_rows_keep_the_field_converters():
    # JSON, arrays, datetimes and UUIDs come back as the ORM converts them.
    owner = UserFactory()
    assets = AssetFactory.create_batch(4, owner=owner, tags=["iron", "old"])
    since = min(a.created_at for a in assets) - timedelta(seconds=1)

    def build(owner_id, tag, since, name):
        return (
            Asset.objects.filter(owner_id=owner_id, tags__contains=[tag], created_at__gte=since)
            .exclude(name=name)
            .order_by("created_at", "id")
            .values("id", "name", "tags", "bounding_box", "created_at", "owner__username")
        )

    query = PreparedQuery(build, owner_id=int, tag=str, since=datetime, name=str)
    for _ in range(2):  # the first call compiles, the second reuses
        rows = query.all(owner_id=owner.pk, tag="iron", since=since, name=assets[0].name)
        assert rows == list(build(owner_id=owner.pk, tag="iron", since=since, name=assets[0].name))
        assert len(rows) == 3 and isinstance(rows[0]["id"], uuid.UUID)
        assert rows[0]["tags"] == ["iron", "old"]
    assert query.all(owner_id=owner.pk, tag="gold", since=since, name="") == []


def test_prefetch_related_and_uuid_parameters_work():
    asset = AssetFactory()
    AssetVariantFactory.create_batch(2, asset=asset)
    query = PreparedQuery(
        lambda asset_id: Asset.objects.filter(pk=asset_id).prefetch_related("variants"),
        asset_id=uuid.UUID,
    )
    found = query.first(asset_id=asset.pk)
    assert found == asset
    assert sorted(v.pk for v in found.variants.all()) == sorted(
        AssetVariant.objects.filter(asset=asset).values_list("pk", flat=True)
    )
    assert query.first(asset_id=uuid.uuid4()) is None


def test_a_lookup_that_rewrites_its_value_is_refused_naming_the_parameter():
    query = PreparedQuery(lambda name: Asset.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="'name'"):
        query.all(name="sword")


def test_wrong_types_are_refused():
    with pytest.raises(TypeError):
        PreparedQuery(lambda x: Asset.objects.filter(file_size=x), x=float)
    query = PreparedQuery(lambda x: Asset.objects.filter(file_size=x), x=int)
    with pytest.raises(TypeError):
        query.all(x="12")
    with pytest.raises(TypeError):
        query.all(x=True)
    with pytest.raises(TypeError):
        query.all()


def test_compiled_queries_per_connection_are_bounded(monkeypatch):
    monkeypatch.setattr(prepared, "COMPILED_PER_CONNECTION", 5)
    user = UserFactory()
    queries = [
        PreparedQuery(lambda user_id: get_user_model().objects.filter(pk=user_id), user_id=int)
        for _ in range(12)
    ]
    for query in queries:
        assert query.first(user_id=user.pk) == user
    assert len(connection.forge_prepared) == 5
    assert queries[0].first(user_id=user.pk) == user  # compiled again after being dropped


@pytest.mark.django_db(transaction=True)
def test_threads_on_their_own_connections_get_their_own_rows():
    users = UserFactory.create_batch(4)
    query = PreparedQuery(lambda user_id: get_user_model().objects.filter(pk=user_id), user_id=int)
    errors = []
    start = threading.Barrier(len(users))

    def run(user):
        try:
            start.wait(timeout=30)
            for _ in range(50):
                assert query.first(user_id=user.pk).username == user.username
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_the_user_of_a_session_is_read_by_the_prepared_lookup(client, user):
    client.force_login(user)
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/tokens/").status_code in (401, 403)  # still checks is_active


def test_a_compiled_querys_converters_are_worked_out_once(monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    tokens = ApiTokenFactory.create_batch(2)
    calls = []
    real = SQLCompiler.get_converters

    def counted(self, expressions):
        calls.append(len(expressions))
        return real(self, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counted)
    query = PreparedQuery(_active_token, key_hash=str)
    for _ in range(3):
        for token in tokens:
            found = query.first(key_hash=token.key_hash)
            assert found.created_at == token.created_at and found.user.pk == token.user.pk
    assert len(calls) == 1  # the first run; the five after reuse its answer
