"""Stage `publish`: decide what the asset is called and how it is described and tagged.

The orchestrator creates the asset from this plan in the same transaction that
finishes the pipeline, so an asset is published exactly once.
"""

from typing import Any


def publish_plan(
    *,
    prepared: dict[str, Any],
    mesh: dict[str, Any],
    optimized: dict[str, Any],
    provider_name: str,
) -> dict[str, Any]:
    """Return the name, description, tags and generation parameters of the asset to create."""
    description = f"Generated from the prompt “{prepared['prompt']}”."
    notes = list(mesh.get("notes") or [])
    if notes:
        description += " " + " ".join(note.rstrip(".") + "." for note in notes)
    tags = list(prepared["tags"])
    object_kind = mesh.get("object_kind") or ""
    if object_kind and object_kind not in tags:
        tags.insert(0, object_kind[:40])
    return {
        "name": prepared["name"],
        "description": description[:5000],
        "tags": tags[:20],
        "generation_params": {
            "prompt": prepared["prompt"],
            "negative_prompt": prepared["negative_prompt"],
            "quality": prepared["quality"],
            "seed": prepared["seed"],
            "provider": provider_name,
            "object_kind": object_kind,
            "recognised": bool(mesh.get("recognised", True)),
            "notes": notes,
            "presets": list(prepared["presets"]),
            "optimize": {
                key: optimized[key]
                for key in ("vertices_before", "vertex_count", "triangles_before", "triangle_count")
                if key in optimized
            },
        },
    }
