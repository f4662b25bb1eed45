import pytest


@pytest.fixture
def presets(db):
    """The gold and oak material presets (as in tests/pipelines)."""
    from tests.assets.factories import MaterialPresetFactory

    return [
        MaterialPresetFactory(slug="gold", name="Gold", base_color="#d4af37", metallic=1.0),
        MaterialPresetFactory(
            slug="oak", name="Oak", category="wood", base_color="#8b5a2b", metallic=0.0
        ),
    ]


@pytest.fixture
def generated_asset(user, presets):
    """A real generated asset (local provider) with two material variants."""
    from assets.models import Asset
    from pipelines.services import pipeline_create, pipeline_run

    pipeline, _ = pipeline_create(
        user=user,
        config={
            "prompt": "a wooden treasure chest",
            "quality": "draft",
            "presets": ["gold", "oak"],
            "seed": 3,
        },
        enqueue=False,
    )
    run = pipeline_run(pipeline_id=pipeline.id)
    assert run.status == "succeeded"
    return Asset.objects.get(pk=run.asset_id)


@pytest.fixture
def box_asset(user):
    """A small uploaded asset (a box) owned by `user`."""
    from tests.assets.factories import AssetFactory

    return AssetFactory(owner=user, visibility="private")


def run_export(job):
    """Run the export's job in this process, as a worker would; return the refreshed job."""
    from pipelines.services import pipeline_run

    pipeline_run(pipeline_id=job.pk)
    job.refresh_from_db()
    job.pipeline.refresh_from_db()
    return job
