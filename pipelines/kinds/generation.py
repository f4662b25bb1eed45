"""Run kind `generation`: a prompt becomes a published asset with material variants.

`RECIPE` is the whole run, in order: each step loads its stage's inputs from earlier
outputs, calls the pure stage function (`pipelines/stages/`) and returns the output the
engine checkpoints on the stage row. `publish` plans the asset; `finish` creates it in the
transaction that marks the run succeeded, so an asset exists exactly once.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from forge.exceptions import ValidationFailedError
from pipelines.kinds.base import Finished, RunKind, Step, StepContext
from pipelines.models import PipelineKind, StageName
from pipelines.providers.base import PresetSpec
from pipelines.stages.generate_mesh import generate_mesh
from pipelines.stages.optimize import optimize
from pipelines.stages.prepare import prepare
from pipelines.stages.publish import publish_plan
from pipelines.stages.texture_variants import texture_variants
from pipelines.stages.thumbnail import thumbnails

SEED_MAX = 2**31 - 1


def config_validate(data: Any) -> dict[str, Any]:
    """Return the cleaned generation config: its shape, then the presets it names are active."""
    from assets.models import MaterialPreset
    from pipelines.api.serializers import pipeline_config_shape

    cleaned = pipeline_config_shape(data)
    presets = cleaned["presets"]
    if presets:
        active = set(
            MaterialPreset.objects.filter(slug__in=presets, is_active=True).values_list(
                "slug", flat=True
            )
        )
        missing = [slug for slug in presets if slug not in active]
        if missing:
            message = f"Unknown or inactive preset(s): {', '.join(missing)}."
            raise ValidationFailedError(f"presets: {message}", details={"presets": [message]})
    return cleaned


def config_complete(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Return the config a run uses: a seed is picked once, at creation, when none was given."""
    seed = cleaned["seed"] if cleaned["seed"] is not None else secrets.randbelow(SEED_MAX + 1)
    return {**cleaned, "seed": seed}


def _preset_specs(slugs: list[str]) -> list[PresetSpec]:
    from assets.models import MaterialPreset

    presets = {p.slug: p for p in MaterialPreset.objects.filter(slug__in=slugs)}
    return [
        PresetSpec(
            slug=p.slug,
            name=p.name,
            base_color=p.base_color,
            metallic=p.metallic,
            roughness=p.roughness,
            emissive=p.emissive or None,
            texture_prompt=p.texture_prompt,
        )
        for slug in slugs
        if (p := presets.get(slug)) is not None
    ]


def _prepared(ctx: StepContext) -> dict[str, Any]:
    return ctx.outputs[StageName.PREPARE]["prepared"]


# -- the steps, in recipe order ---------------------------------------------------------


def step_prepare(ctx: StepContext) -> dict[str, Any]:
    return {"prepared": ctx.call(prepare, config=ctx.config)}


def step_generate_mesh(ctx: StepContext) -> dict[str, Any]:
    mesh = ctx.call(
        generate_mesh,
        prepared=_prepared(ctx),
        provider=ctx.provider,
        should_cancel=ctx.should_cancel,
    )
    return {
        "glb_key": ctx.checkpoint_save("mesh.glb", mesh.glb),
        "object_kind": mesh.object_kind,
        "recognised": mesh.recognised,
        "notes": list(mesh.notes),
        "external_task_id": mesh.external_task_id or "",
        "file_size": len(mesh.glb),
    }


def step_optimize(ctx: StepContext) -> dict[str, Any]:
    glb = ctx.checkpoint_load(ctx.outputs[StageName.GENERATE_MESH]["glb_key"])
    result = ctx.call(optimize, glb=glb, triangle_budget=_prepared(ctx)["triangle_budget"])
    info = result.info
    return {
        "glb_key": ctx.checkpoint_save("model.glb", result.glb),
        "sha256": info.sha256,
        "file_size": info.file_size,
        "bounding_box": info.bounding_box,
        "mesh_count": info.mesh_count,
        "material_count": info.material_count,
        **result.stats,
    }


def step_texture_variants(ctx: StepContext) -> dict[str, Any]:
    """Make the variants still missing: each finished one is checkpointed as it arrives."""
    prepared = _prepared(ctx)
    glb = ctx.checkpoint_load(ctx.outputs[StageName.OPTIMIZE]["glb_key"])
    done = [v for v in ctx.partial.get("variants", []) if v.get("glb_key")]
    done = [v for v in done if ctx.checkpoint_exists(v["glb_key"])]
    done_slugs = {v["preset"] for v in done}
    wanted = prepared["presets"]
    total = max(1, len(wanted))

    def on_variant(preset: PresetSpec, result) -> None:
        with ctx.engine_time():
            done.append(
                {
                    "preset": preset.slug,
                    "glb_key": ctx.checkpoint_save(f"variant-{preset.slug}.glb", result.glb),
                    "external_task_id": result.external_task_id or "",
                }
            )
            if len(done) < total:
                # Checkpoint each finished variant; the last one is recorded with the stage.
                ctx.progress(len(done) / total, output={"variants": list(done)})

    ctx.call(
        texture_variants,
        glb=glb,
        presets=_preset_specs([slug for slug in wanted if slug not in done_slugs]),
        seed=prepared["seed"],
        provider=ctx.provider,
        should_cancel=ctx.should_cancel,
        on_variant=on_variant,
    )
    order = {slug: index for index, slug in enumerate(wanted)}
    done.sort(key=lambda v: order.get(v["preset"], len(order)))
    return {"variants": done}


def step_thumbnail(ctx: StepContext) -> dict[str, Any]:
    glb = ctx.checkpoint_load(ctx.outputs[StageName.OPTIMIZE]["glb_key"])
    variant_files = {
        v["preset"]: ctx.checkpoint_load(v["glb_key"])
        for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]
    }
    main, rendered = ctx.call(
        thumbnails, glb=glb, variants=variant_files, on_progress=lambda f: ctx.progress(f)
    )
    return {
        "thumbnail_key": ctx.checkpoint_save("thumbnail.png", main),
        "variants": {
            slug: ctx.checkpoint_save(f"variant-{slug}.png", png) for slug, png in rendered.items()
        },
    }


@dataclass(frozen=True)
class _Publication:
    """Everything `finish` needs to create the asset, loaded before its transaction opens."""

    plan: dict[str, Any]
    glb: bytes
    thumbnail_png: bytes
    variants: list[Any]


def step_publish(ctx: StepContext) -> _Publication:
    from assets.models import MaterialPreset
    from assets.services import VariantInput

    prepared = _prepared(ctx)
    optimized = ctx.outputs[StageName.OPTIMIZE]
    thumbs = ctx.outputs[StageName.THUMBNAIL]
    plan = ctx.call(
        publish_plan,
        prepared=prepared,
        mesh=ctx.outputs[StageName.GENERATE_MESH],
        optimized=optimized,
        provider_name=ctx.config["provider"],
    )
    presets = {p.slug: p for p in MaterialPreset.objects.filter(slug__in=prepared["presets"])}
    return _Publication(
        plan=plan,
        glb=ctx.checkpoint_load(optimized["glb_key"]),
        thumbnail_png=ctx.checkpoint_load(thumbs["thumbnail_key"]),
        variants=[
            VariantInput(
                preset=presets[v["preset"]],
                glb=ctx.checkpoint_load(v["glb_key"]),
                thumbnail_png=ctx.checkpoint_load(thumbs["variants"][v["preset"]]),
                external_task_id=v.get("external_task_id", ""),
            )
            for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]
        ],
    )


def finish(ctx: StepContext, pipeline, publication: _Publication) -> Finished:
    """Create the asset and its variants; the engine commits it with the run's success."""
    from assets.services import asset_create_generated

    prepared = _prepared(ctx)
    plan = publication.plan
    mesh = ctx.outputs[StageName.GENERATE_MESH]
    optimized = ctx.outputs[StageName.OPTIMIZE]
    asset = ctx.call(
        asset_create_generated,
        owner=pipeline.user,
        name=plan["name"],
        description=plan["description"],
        kind=prepared["kind"],
        art_style=prepared["art_style"],
        tags=plan["tags"],
        visibility=prepared["visibility"],
        glb=publication.glb,
        thumbnail_png=publication.thumbnail_png,
        generation_params={**plan["generation_params"], "pipeline_id": str(pipeline.id)},
        variants=publication.variants,
    )
    return Finished(
        output={"asset_id": str(asset.id)},
        result={
            "asset_id": str(asset.id),
            "variant_count": len(publication.variants),
            "object_kind": mesh.get("object_kind", ""),
            "recognised": mesh.get("recognised", True),
            "notes": mesh.get("notes", []),
            "vertex_count": optimized.get("vertex_count"),
            "triangle_count": optimized.get("triangle_count"),
        },
        asset=asset,
    )


# Run order, and each stage's share of the progress bar (sums to 100).
RECIPE = (
    Step(StageName.PREPARE, 2, step_prepare),
    Step(StageName.GENERATE_MESH, 40, step_generate_mesh),
    Step(StageName.OPTIMIZE, 13, step_optimize),
    Step(StageName.TEXTURE_VARIANTS, 25, step_texture_variants),
    Step(StageName.THUMBNAIL, 15, step_thumbnail),
    Step(StageName.PUBLISH, 5, step_publish),
)

GENERATION = RunKind(
    kind=PipelineKind.GENERATION,
    recipe=RECIPE,
    config_validate=config_validate,
    config_complete=config_complete,
    finish=finish,
)
