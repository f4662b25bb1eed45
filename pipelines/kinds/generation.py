"""Run kind `generation`: a prompt becomes a published asset with material variants.

`RECIPE` is the whole run, in order: each step loads its stage's inputs from earlier
outputs, calls the pure stage function (`pipelines/stages/`) and returns the output the
engine checkpoints on the stage row. `publish` plans the asset; `finish` creates it in the
transaction that marks the run succeeded, so an asset exists exactly once.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import structlog

from forge.exceptions import ValidationFailedError
from pipelines.kinds.base import Finished, RunKind, Step, StepContext
from pipelines.models import PipelineKind, StageName
from pipelines.providers.base import PresetSpec
from pipelines.stages.generate_mesh import generate_mesh
from pipelines.stages.optimize import optimize
from pipelines.stages.prepare import prepare
from pipelines.stages.publish import glb_with_variants, publish_plan
from pipelines.stages.texture_variants import texture_variants
from pipelines.stages.thumbnail import thumbnails

SEED_MAX = 2**31 - 1

log = structlog.get_logger("pipelines")


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
    from assets.selectors import material_presets_by_slug

    presets = material_presets_by_slug(slugs)
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
        tasks=ctx.remote_tasks,
        on_progress=ctx.on_progress,
    )
    return {
        "glb_key": ctx.checkpoint_save("mesh.glb", mesh.glb),
        "object_kind": mesh.object_kind,
        "recognised": mesh.recognised,
        "notes": list(mesh.notes),
        "approximate": bool(mesh.approximate),
        "reason": mesh.reason,
        "suggestions": list(mesh.suggestions),
        "asset_kind": mesh.asset_kind,
        "family": mesh.family,
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
    before = len(done)

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
        tasks=ctx.remote_tasks,
        on_progress=lambda f: ctx.progress((before + f * (total - before)) / total),
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
    #: Whether `glb` carries the variants (KHR_materials_variants).
    variants_merged: bool
    thumbnail_png: bytes
    variants: list[Any]


def step_publish(ctx: StepContext) -> _Publication:
    from assets.selectors import material_presets_by_slug
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
    presets = material_presets_by_slug(prepared["presets"])
    variants = [
        VariantInput(
            preset=presets[v["preset"]],
            glb=ctx.checkpoint_load(v["glb_key"]),
            thumbnail_png=ctx.checkpoint_load(thumbs["variants"][v["preset"]]),
            external_task_id=v.get("external_task_id", ""),
        )
        for v in ctx.outputs[StageName.TEXTURE_VARIANTS]["variants"]
    ]
    # Last step before the asset is created: one GLB switching between every variant by the
    # preset name the asset page shows.
    glb, merge_note = ctx.call(
        glb_with_variants,
        base_glb=ctx.checkpoint_load(optimized["glb_key"]),
        variants=[(v.preset.name, v.glb) for v in variants],
    )
    if merge_note:
        log.warning("variants_not_merged", reason=merge_note, variants=len(variants))
    return _Publication(
        plan=plan,
        glb=glb,
        variants_merged=bool(variants) and not merge_note,
        thumbnail_png=ctx.checkpoint_load(thumbs["thumbnail_key"]),
        variants=variants,
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
        kind=plan["kind"],
        art_style=prepared["art_style"],
        tags=plan["tags"],
        visibility=plan["visibility"],
        glb=publication.glb,
        thumbnail_png=publication.thumbnail_png,
        generation_params={
            **plan["generation_params"],
            "pipeline_id": str(pipeline.id),
            "variants_merged": publication.variants_merged,
            # The variants the asset's GLB carries, by name (the asset page switches to them).
            "variant_names": (
                [v.preset.name for v in publication.variants] if publication.variants_merged else []
            ),
        },
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
            "kind": plan["kind"],
            "kind_inferred": bool(prepared.get("kind_inferred")),
            "approximate": bool(mesh.get("approximate", False)),
            "reason": mesh.get("reason", ""),
            "suggestions": list(mesh.get("suggestions") or []),
            "visibility": plan["visibility"],
            "visibility_held": plan["visibility_held"],
            "visibility_note": plan["visibility_note"],
            "variants_merged": publication.variants_merged,
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
