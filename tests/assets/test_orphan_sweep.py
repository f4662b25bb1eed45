"""The daily sweep removes folders a crash left without rows, and nothing a user owns."""

import os
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_q.models import Schedule

from assets.services import asset_orphan_files_sweep
from tests.assets.factories import AssetFactory, AssetVariantFactory, MaterialPresetFactory

pytestmark = pytest.mark.django_db

TWO_HOURS_AGO = time.time() - 2 * 3600


def stored(name: str, *, old: bool) -> str:
    name = default_storage.save(name, ContentFile(b"data"))
    if old:
        os.utime(default_storage.path(name), (TWO_HOURS_AGO, TWO_HOURS_AGO))
    return name


def test_orphan_folders_older_than_the_grace_period_are_deleted():
    asset = AssetFactory()
    variant = AssetVariantFactory(asset=asset, preset=MaterialPresetFactory())
    for name in (asset.model_file.name, asset.thumbnail.name, variant.model_file.name):
        os.utime(default_storage.path(name), (TWO_HOURS_AGO, TWO_HOURS_AGO))
    crashed_asset = stored(f"assets/{uuid.uuid4()}/model.glb", old=True)
    crashed_variant = stored(f"assets/{asset.id}/variants/{uuid.uuid4()}/model.glb", old=True)
    in_flight = stored(f"assets/{uuid.uuid4()}/model.glb", old=False)
    not_ours = stored("assets/readme-folder/notes.txt", old=True)

    swept = asset_orphan_files_sweep()

    # Other tests may leave empty folders behind; those go too, but hold no files.
    assert swept["files"] == 2 and swept["variants"] == 1 and swept["assets"] >= 1
    assert not default_storage.exists(crashed_asset)
    assert not default_storage.exists(crashed_variant)
    assert default_storage.exists(in_flight)
    assert default_storage.exists(not_ours)
    for name in (asset.model_file.name, asset.thumbnail.name, variant.model_file.name):
        assert default_storage.exists(name)
    assert asset_orphan_files_sweep()["files"] == 0


def test_the_sweep_runs_daily_from_a_schedule():
    schedule = Schedule.objects.get(name="assets.orphan_files_sweep")
    assert schedule.func == "assets.tasks.assets_orphan_files_sweep"
    assert schedule.schedule_type == "D"
