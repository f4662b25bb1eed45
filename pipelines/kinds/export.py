"""Run kind `export`: assets become a download in one format at one quality level.

`RECIPE` is the whole run, in order; each step loads its inputs from the earlier stages'
checkpoints and calls a pure function of `pipelines.stages.export`. `publish` hands the
finished file to `finish`, which stores it through `default_storage` under the export's own
key (a resumed run overwrites, never adds a second file) and fills the `ExportJob` in the
transaction that marks the run succeeded.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from forge.exceptions import ValidationFailedError
from pipelines.kinds.base import Finished, RunKind, Step, StepContext
from pipelines.models import PipelineKind, StageName
from pipelines.stages.export import (
    FORMATS,
    GEOMETRY_LEVELS,
    TEXTURE_CAPS,
    ExportInputError,
    ExportToolMissingError,
    format_write,
    merge_variants,
    quality_apply,
)
from pipelines.stages.export.archive import zip_files

BATCH_MAX = 50
ORIGINAL_LOOK = "Original"


def _fail(field: str, message: str) -> ValidationFailedError:
    return ValidationFailedError(f"{field}: {message}", details={field: [message]})


def config_validate(data: Any) -> dict[str, Any]:
    """Return the cleaned export config; refuse unknown formats, levels and missing tools."""
    if not isinstance(data, dict):
        raise _fail("non_field_errors", "Send a JSON object.")
    assets = data.get("assets")
    if not isinstance(assets, list) or not assets:
        raise _fail("assets", "Name at least one asset.")
    if len(assets) > BATCH_MAX:
        raise _fail("assets", f"At most {BATCH_MAX} assets in one export.")
    assets = [str(a) for a in assets]
    if len(set(assets)) != len(assets):
        raise _fail("assets", "An asset is listed twice.")
    fmt = data.get("format")
    if fmt not in FORMATS:
        raise _fail("format", f"Must be one of: {', '.join(FORMATS)}.")
    if not FORMATS[fmt].available():
        raise ExportToolMissingError(
            f"{FORMATS[fmt].label} export is not available on this server right now. "
            "Choose another format, or ask an administrator to install it (make blender)."
        )
    quality = data.get("quality", "full")
    if quality not in GEOMETRY_LEVELS:
        raise _fail("quality", f"Must be one of: {', '.join(GEOMETRY_LEVELS)}.")
    textures = data.get("texture_size", "original")
    if textures not in TEXTURE_CAPS:
        raise _fail("texture_size", f"Must be one of: {', '.join(TEXTURE_CAPS)}.")
    variants = data.get("variants") or []
    if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        raise _fail("variants", "Must be a list of material preset slugs.")
    if variants and len(assets) > 1:
        raise _fail("variants", "A batch export uses each asset's default look; choose none.")
    if len(variants) > 1 and fmt not in ("glb", "gltf"):
        raise _fail("variants", "Only GLB and glTF carry several variants; choose one.")
    return {
        "assets": assets,
        "variants": list(dict.fromkeys(variants)),
        "format": fmt,
        "quality": quality,
        "texture_size": textures,
    }


def _file_stem(name: str) -> str:
    return slugify(name)[:60] or "model"


# -- the steps, in recipe order ---------------------------------------------------------


def step_load(ctx: StepContext) -> dict[str, Any]:
    """Read each asset's GLB (with the chosen variants merged in) into the run's checkpoints."""
    from assets.models import Asset, AssetVariant

    wanted = ctx.config["assets"]
    assets = {str(a.pk): a for a in Asset.objects.filter(pk__in=wanted)}
    items = []
    for index, asset_id in enumerate(wanted):
        asset = assets.get(asset_id)
        if asset is None or not asset.model_file:
            raise ExportInputError("An asset in this export was deleted; export the others.")
        with asset.model_file.open("rb") as handle:
            glb = handle.read()
        slugs = ctx.config["variants"]
        if slugs:
            variants = {
                v.preset.slug: v
                for v in AssetVariant.objects.select_related("preset").filter(
                    asset=asset, preset__slug__in=slugs, status="ready"
                )
            }
            missing = [slug for slug in slugs if slug not in variants]
            if missing:
                raise ExportInputError(
                    f"This asset has no ready variant {', '.join(missing)}; choose another."
                )
            looks = []
            for slug in slugs:
                with variants[slug].model_file.open("rb") as handle:
                    looks.append((variants[slug].preset.name, handle.read()))
            if ctx.config["format"] in ("glb", "gltf"):
                glb = ctx.call(
                    merge_variants, base_glb=glb, variants=[(ORIGINAL_LOOK, glb), *looks]
                )
            else:
                glb = looks[0][1]
        items.append(
            {
                "asset_id": asset_id,
                "name": asset.name,
                "stem": _file_stem(asset.name),
                "glb_key": ctx.checkpoint_save(f"source-{index}.glb", glb),
                "size_before": len(glb),
            }
        )
        ctx.progress((index + 1) / len(wanted))
    return {"items": items}


def step_reduce(ctx: StepContext) -> dict[str, Any]:
    """Apply the quality level (geometry and texture size) to every source."""
    items = []
    sources = ctx.outputs[StageName.LOAD]["items"]
    for index, item in enumerate(sources):
        result = ctx.call(
            quality_apply,
            glb=ctx.checkpoint_load(item["glb_key"]),
            geometry=ctx.config["quality"],
            textures=ctx.config["texture_size"],
        )
        items.append(
            {
                **item,
                "glb_key": ctx.checkpoint_save(f"reduced-{index}.glb", result.glb),
                "triangles_before": result.triangles_before,
                "triangles_after": result.triangle_count,
                "method": result.method,
            }
        )
        ctx.progress((index + 1) / len(sources))
    return {"items": items}


def step_convert(ctx: StepContext) -> dict[str, Any]:
    """Write every reduced GLB in the export's format."""
    items = []
    sources = ctx.outputs[StageName.REDUCE]["items"]
    taken: set[str] = set()
    for index, item in enumerate(sources):
        stem = item["stem"]
        if stem in taken:  # two assets with one name still get two files in a batch
            stem = f"{stem}-{index + 1}"
        taken.add(stem)
        written = ctx.call(
            format_write,
            glb=ctx.checkpoint_load(item["glb_key"]),
            key=ctx.config["format"],
            name=stem,
        )
        items.append(
            {
                **item,
                "file_key": ctx.checkpoint_save(
                    f"file-{index}-{written.filename}", written.content
                ),
                "filename": written.filename,
                "content_type": written.content_type,
                "size": len(written.content),
                "sha256": hashlib.sha256(written.content).hexdigest(),
            }
        )
        ctx.progress((index + 1) / len(sources))
    return {"items": items}


def manifest_build(items: list[dict[str, Any]], fmt: str, quality: str, textures: str) -> bytes:
    """Return the batch manifest: each file with its asset, format and SHA-256."""
    manifest = {
        "format": fmt,
        "quality": quality,
        "texture_size": textures,
        "files": [
            {
                "name": item["filename"],
                "asset_id": item["asset_id"],
                "asset_name": item["name"],
                "format": fmt,
                "size": item["size"],
                "sha256": item["sha256"],
                "triangles": item["triangles_after"],
            }
            for item in items
        ],
    }
    return json.dumps(manifest, indent=2).encode()


def step_package(ctx: StepContext) -> dict[str, Any]:
    """Keep a single file as it is; zip a batch with its manifest."""
    items = ctx.outputs[StageName.CONVERT]["items"]
    totals = {
        "size_before": sum(i["size_before"] for i in items),
        "triangles_before": sum(i["triangles_before"] for i in items),
        "triangles_after": sum(i["triangles_after"] for i in items),
        "items": [{k: v for k, v in i.items() if not k.endswith("_key")} for i in items],
    }
    if len(items) == 1:
        item = items[0]
        return {
            **totals,
            "file_key": item["file_key"],
            "filename": item["filename"],
            "content_type": item["content_type"],
            "size": item["size"],
            "sha256": item["sha256"],
        }
    config = ctx.config
    files = {i["filename"]: ctx.checkpoint_load(i["file_key"]) for i in items}
    files["manifest.json"] = manifest_build(
        items, config["format"], config["quality"], config["texture_size"]
    )
    archive = ctx.call(zip_files, files=files)
    filename = f"forge-export-{config['format']}-{len(items)}-assets.zip"
    return {
        **totals,
        "file_key": ctx.checkpoint_save(filename, archive),
        "filename": filename,
        "content_type": "application/zip",
        "size": len(archive),
        "sha256": hashlib.sha256(archive).hexdigest(),
    }


@dataclass(frozen=True)
class _Download:
    """The finished file, loaded before `finish`'s transaction opens."""

    package: dict[str, Any]
    content: bytes


def step_publish(ctx: StepContext) -> _Download:
    package = ctx.outputs[StageName.PACKAGE]
    return _Download(package=package, content=ctx.checkpoint_load(package["file_key"]))


def finish(ctx: StepContext, pipeline, download: _Download) -> Finished:
    """Store the file under the export's key and record it on the export job."""
    from assets.exports.services import export_job_complete

    job = ctx.call(
        export_job_complete,
        pipeline=pipeline,
        package=download.package,
        content=download.content,
    )
    file = job.files[0]
    return Finished(
        output={"filename": file["name"], "size": file["size"], "sha256": file["sha256"]},
        result={
            "export_id": str(job.pk),
            "files": [{k: v for k, v in f.items() if k != "key"} for f in job.files],
            "size_before": job.size_before,
            "size_after": job.size_after,
            "triangles_before": job.triangles_before,
            "triangles_after": job.triangles_after,
        },
    )


# Run order, and each stage's share of the progress bar (sums to 100).
RECIPE = (
    Step(StageName.LOAD, 10, step_load),
    Step(StageName.REDUCE, 35, step_reduce),
    Step(StageName.CONVERT, 40, step_convert),
    Step(StageName.PACKAGE, 10, step_package),
    Step(StageName.PUBLISH, 5, step_publish),
)

EXPORT = RunKind(
    kind=PipelineKind.EXPORT,
    recipe=RECIPE,
    config_validate=config_validate,
    finish=finish,
)
