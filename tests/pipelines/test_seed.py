"""The demo seed makes the gallery's demo assets by running real pipelines."""

import io

import pytest

from assets.glb import glb_inspect
from assets.models import Asset
from assets.services import variant_statistics_drift
from forge.seed import demo_users_ensure
from pipelines.models import GenerationPipeline
from pipelines.seed import DEMO_PIPELINES, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_runs_one_pipeline_per_demo_asset_idempotently():
    users = demo_users_ensure()
    seed_demo(users=users, stdout=io.StringIO())

    pipelines = GenerationPipeline.objects.filter(user=users.user)
    assert pipelines.count() == len(DEMO_PIPELINES) >= 24
    assert set(pipelines.values_list("status", flat=True)) == {"succeeded"}
    assets = Asset.objects.filter(owner=users.user)
    assert assets.count() == len(DEMO_PIPELINES)
    assert assets.filter(visibility="public").count() >= 24
    assert assets.exclude(visibility="public").count() >= 2
    for asset in assets:
        assert glb_inspect(asset.model_file.read()).triangle_count == asset.triangle_count > 0
        assert asset.variants.filter(status="ready").count() >= 2
        assert asset.pipeline.status == "succeeded"
    assert variant_statistics_drift() == []
    kinds = {a.generation_params["object_kind"] for a in assets}
    assert {"sword", "axe", "shield", "chest", "pine", "house", "tower", "potion"} <= kinds

    out = io.StringIO()
    seed_demo(users=users, stdout=out)
    assert Asset.objects.count() == len(DEMO_PIPELINES)
    assert "0 demo assets generated" in out.getvalue()
