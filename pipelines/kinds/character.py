"""Run kind `character`: a saved character configuration becomes a rigged, animated asset.

The run reads the configuration version it was created for (so later edits never change
a build under way), builds the GLB (`pipelines.stages.character.build`), recolours it
once per material preset by role (metal armor turns gold, skin does not), renders the
thumbnails and, as it succeeds, creates the `character` asset and links it to the
configuration with the hash it was built from.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from forge.exceptions import ValidationFailedError
from pipelines.kinds.base import Finished, RunKind, Step, StepContext
from pipelines.kinds.generation import _preset_specs
from pipelines.models import PipelineKind, StageName
from pipelines.providers.local import LocalProvider
from pipelines.stages.character.build import BorrowedClip, character_build
from pipelines.stages.texture_variants import texture_variants
from pipelines.stages.thumbnail import thumbnails


def config_validate(data: Any) -> dict[str, Any]:
    """Return `{"character_id", "version"}` once that saved version exists."""
    from assets.character_selectors import character_version_get
    from forge.exceptions import NotFoundError

    if not isinstance(data, dict):
        raise ValidationFailedError("config: must be an object.", details={"config": ["Object."]})
    errors = {}
    try:
        character_id = str(uuid.UUID(str(data.get("character_id"))))
    except ValueError:
        errors["character_id"] = ["Must be a character id."]
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors["version"] = ["Must be a version number (1 or more)."]
    if errors:
        raise ValidationFailedError(f"{next(iter(errors))}: invalid.", details=errors)
    try:
        character_version_get(character_id=character_id, version=version)
    except NotFoundError as exc:
        message = "No such character version."
        raise ValidationFailedError(f"character_id: {message}",
                                    details={"character_id": [message]}) from exc  # fmt: skip
    return {"character_id": character_id, "version": version}


def _saved(ctx: StepContext):
    from assets.character_selectors import character_version_get

    return character_version_get(
        character_id=ctx.config["character_id"], version=ctx.config["version"]
    )


def step_build(ctx: StepContext) -> dict[str, Any]:
    from assets.character_selectors import armor_meshes
    from assets.models import CharacterConfiguration

    saved = _saved(ctx)
    data = saved.data
    owner = saved.configuration.owner
    sources = {
        str(c.pk): c.data
        for c in CharacterConfiguration.objects.filter(
            owner=owner, pk__in=[b["source"] for b in data["borrowed_clips"]]
        )
    }
    borrowed = [
        BorrowedClip(b["name"], sources[b["source"]], b["clip"])
        for b in data["borrowed_clips"]
        if b["source"] in sources  # a deleted source character lends nothing
    ]
    gallery = armor_meshes(user=owner, gallery_armor=data["gallery_armor"])
    built = ctx.call(character_build, data=data, gallery=gallery, borrowed=borrowed)
    return {"glb_key": ctx.checkpoint_save("character.glb", built.glb), **built.stats}


def step_variants(ctx: StepContext) -> dict[str, Any]:
    data = _saved(ctx).data
    glb = ctx.checkpoint_load(ctx.outputs[StageName.BUILD_CHARACTER]["glb_key"])
    done: list[dict[str, Any]] = []

    def on_variant(preset, result) -> None:
        with ctx.engine_time():
            key = ctx.checkpoint_save(f"variant-{preset.slug}.glb", result.glb)
            done.append({"preset": preset.slug, "glb_key": key})

    # Recolouring by material role is local work (the provider's retexture keeps skins).
    ctx.call(
        texture_variants,
        glb=glb,
        presets=_preset_specs(data["presets"]),
        seed=0,
        provider=LocalProvider(),
        should_cancel=ctx.should_cancel,
        on_variant=on_variant,
    )
    return {"variants": done}


def step_thumbnail(ctx: StepContext) -> dict[str, Any]:
    glb = ctx.checkpoint_load(ctx.outputs[StageName.BUILD_CHARACTER]["glb_key"])
    variant_files = {
        v["preset"]: ctx.checkpoint_load(v["glb_key"])
        for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]
    }
    main, rendered = ctx.call(thumbnails, glb=glb, variants=variant_files)
    return {
        "thumbnail_key": ctx.checkpoint_save("thumbnail.png", main),
        "variants": {
            s: ctx.checkpoint_save(f"variant-{s}.png", png) for s, png in rendered.items()
        },
    }


@dataclass(frozen=True)
class _Publication:
    glb: bytes
    thumbnail_png: bytes
    variants: list[Any]


def step_publish(ctx: StepContext) -> _Publication:
    from assets.selectors import material_presets_by_slug
    from assets.services import VariantInput

    thumbs = ctx.outputs[StageName.THUMBNAIL]
    wanted = [v["preset"] for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]]
    presets = material_presets_by_slug(wanted)
    return _Publication(
        glb=ctx.checkpoint_load(ctx.outputs[StageName.BUILD_CHARACTER]["glb_key"]),
        thumbnail_png=ctx.checkpoint_load(thumbs["thumbnail_key"]),
        variants=[
            VariantInput(
                preset=presets[v["preset"]],
                glb=ctx.checkpoint_load(v["glb_key"]),
                thumbnail_png=ctx.checkpoint_load(thumbs["variants"][v["preset"]]),
            )
            for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]
            if v["preset"] in presets
        ],
    )


def finish(ctx: StepContext, pipeline, publication: _Publication) -> Finished:
    """Create the `character` asset and link it to the configuration version it was built from."""
    from assets.character_services import character_built
    from assets.services import asset_create_generated

    saved = _saved(ctx)
    character = saved.configuration
    built = ctx.outputs[StageName.BUILD_CHARACTER]
    asset = ctx.call(
        asset_create_generated,
        owner=pipeline.user,
        name=character.name,
        description=f"Rigged {built['species']} with {len(built['clips'])} clips.",
        kind="character",
        art_style="stylized",
        tags=["character", "rigged", built["species"], *built["clips"]][:20],
        visibility=character.visibility,
        glb=publication.glb,
        thumbnail_png=publication.thumbnail_png,
        generation_params={
            "character_id": str(character.id),
            "version": saved.version,
            "config_hash": saved.config_hash,
            "pipeline_id": str(pipeline.id),
            "clips": built["clips"],
            "armor": built["armor"],
        },
        variants=publication.variants,
    )
    character_built(character_id=character.id, version=saved.version, asset=asset)
    return Finished(
        output={"asset_id": str(asset.id)},
        result={
            "asset_id": str(asset.id),
            "character_id": str(character.id),
            "version": saved.version,
            "variant_count": len(publication.variants),
            "clips": built["clips"],
            "triangle_count": built["triangle_count"],
        },
        asset=asset,
    )


RECIPE = (
    Step(StageName.BUILD_CHARACTER, 55, step_build),
    Step(StageName.TEXTURE_VARIANTS, 15, step_variants),
    Step(StageName.THUMBNAIL, 25, step_thumbnail),
    Step(StageName.PUBLISH, 5, step_publish),
)

CHARACTER = RunKind(
    kind=PipelineKind.CHARACTER,
    recipe=RECIPE,
    config_validate=config_validate,
    finish=finish,
)
