"""Demo data for pipelines: the gallery's demo assets, made by running real pipelines.

Each demo asset is one pipeline owned by the demo user, created with a fixed
`Idempotency-Key` and seed and run synchronously through the same orchestrator the
workers use, with the local provider. Running the seed again creates nothing new:
finished pipelines are skipped, failed ones are retried, queued ones are run.
"""

from dataclasses import dataclass

from assets.seed import presets_ensure
from forge.oncommit import broadcast_flush
from pipelines.models import PipelineStatus
from pipelines.services import pipeline_create, pipeline_retry, pipeline_run

IDEMPOTENCY_PREFIX = "demo-seed:"


@dataclass(frozen=True)
class DemoPipeline:
    key: str
    prompt: str
    kind: str
    art_style: str
    presets: tuple[str, ...]
    visibility: str = "public"
    quality: str = "standard"
    seed: int = 1


DEMO_PIPELINES = [
    DemoPipeline("sword", "a knight's longsword with a gilded crossguard", "weapon", "stylized", ("gold", "iron", "plasma")),
    DemoPipeline("axe", "a woodcutter's axe with a short handle", "weapon", "low_poly", ("iron", "bronze", "ebony")),
    DemoPipeline("hammer", "a heavy smithing hammer", "weapon", "low_poly", ("iron", "gold")),
    DemoPipeline("spear", "a long hunting spear", "weapon", "realistic", ("iron", "bronze")),
    DemoPipeline("bow", "an elven longbow", "weapon", "stylized", ("ebony", "gold")),
    DemoPipeline("staff", "a wizard's staff with a glowing orb", "weapon", "cartoon", ("amethyst", "oak")),
    DemoPipeline("shield", "a round wooden shield with an iron boss", "armor", "stylized", ("oak", "bronze", "leather")),
    DemoPipeline("helmet", "a horned viking helmet", "armor", "realistic", ("iron", "bronze", "gold")),
    DemoPipeline("barrel", "an oak ale barrel bound with iron hoops", "prop", "stylized", ("oak", "ebony", "moss")),
    DemoPipeline("crate", "a sturdy wooden supply crate", "prop", "low_poly", ("oak", "iron", "toy-plastic")),
    DemoPipeline("chest", "a treasure chest with a golden lock", "prop", "cartoon", ("gold", "ebony", "bone")),
    DemoPipeline("table", "a long tavern table", "prop", "stylized", ("oak", "marble", "ebony")),
    DemoPipeline("chair", "a simple wooden chair with a straight back", "prop", "low_poly", ("oak", "velvet", "porcelain")),
    DemoPipeline("lamp", "a cast iron street lamp", "prop", "realistic", ("iron", "bronze", "plasma")),
    DemoPipeline("potion", "a round flask of glowing healing potion", "prop", "cartoon", ("amethyst", "plasma", "porcelain")),
    DemoPipeline("tree", "a tall fir tree", "environment", "low_poly", ("moss", "marble", "gold")),
    DemoPipeline("rock", "a weathered mossy boulder", "environment", "realistic", ("granite", "marble", "moss")),
    DemoPipeline("mushroom", "a red capped fly agaric mushroom", "environment", "cartoon", ("porcelain", "amethyst", "moss")),
    DemoPipeline("crystal", "a six sided mana crystal", "environment", "stylized", ("amethyst", "plasma", "marble")),
    DemoPipeline("house", "a small village cottage", "building", "stylized", ("granite", "oak", "marble")),
    DemoPipeline("tower", "a round stone watchtower", "building", "stylized", ("granite", "marble", "bone")),
    DemoPipeline("cart", "a four wheeled wooden hand cart", "vehicle", "stylized", ("oak", "iron", "toy-plastic")),
    DemoPipeline("boat", "a small rowing boat", "vehicle", "low_poly", ("oak", "ebony")),
    DemoPipeline("knight", "an armored knight character", "character", "stylized", ("iron", "gold", "toy-plastic")),
    DemoPipeline("wolf", "a grey wolf creature", "creature", "low_poly", ("bone", "moss")),
    DemoPipeline("totem", "a carved tribal totem", "other", "stylized", ("oak", "bone"), visibility="unlisted"),
    DemoPipeline("bottle", "a dusty wine bottle", "prop", "realistic", ("porcelain", "amethyst"), visibility="private"),
    DemoPipeline("car", "a little toy car", "vehicle", "voxel", ("toy-plastic", "gold"), visibility="private"),
]  # fmt: skip


def seed_demo(users, stdout) -> None:
    """Make every missing demo asset by running its pipeline now (owned by the demo user)."""
    presets_ensure()
    made = failed = 0
    for demo in DEMO_PIPELINES:
        pipeline, _ = pipeline_create(
            user=users.user,
            config={
                "prompt": demo.prompt,
                "kind": demo.kind,
                "art_style": demo.art_style,
                "quality": demo.quality,
                "presets": list(demo.presets),
                "seed": demo.seed,
                "provider": "local",
                "visibility": demo.visibility,
            },
            idempotency_key=f"{IDEMPOTENCY_PREFIX}{demo.key}",
            enqueue=False,
        )
        if pipeline.status == PipelineStatus.SUCCEEDED:
            continue
        if pipeline.status in (PipelineStatus.FAILED,):
            pipeline = pipeline_retry(pipeline=pipeline)
        if pipeline.status != PipelineStatus.QUEUED:
            continue  # canceled or expired demo pipelines are left as they are
        result = pipeline_run(pipeline_id=pipeline.id)
        if result is not None and result.status == PipelineStatus.SUCCEEDED:
            made += 1
        else:
            failed += 1
    broadcast_flush()
    stdout.write(
        f"Pipelines: {made} demo assets generated by pipelines"
        f"{f', {failed} failed' if failed else ''} "
        f"({len(DEMO_PIPELINES) - made - failed} already there)."
    )
