"""Stage `publish`: decide what the asset is called, how it is described, tagged and shown.

The orchestrator creates the asset from this plan in the same transaction that
finishes the pipeline, so an asset is published exactly once. An approximate result (the
provider made the nearest thing it knows, not what the prompt names) is never made public
without the user's confirmation: the plan keeps it private and says why.
"""

from typing import Any

HELD_NOTE = "Kept private: the result only approximates the prompt. Publish it yourself if it fits."


def publish_plan(
    *,
    prepared: dict[str, Any],
    mesh: dict[str, Any],
    optimized: dict[str, Any],
    provider_name: str,
) -> dict[str, Any]:
    """Return the name, kind, visibility, description, tags and generation parameters."""
    description = f"Generated from the prompt “{prepared['prompt']}”."
    approximate = bool(mesh.get("approximate", False))
    requested = prepared.get("visibility", "private")
    held = approximate and requested == "public" and not prepared.get("confirm_approximate")
    notes = list(mesh.get("notes") or [])
    if notes:
        description += " " + " ".join(note.rstrip(".") + "." for note in notes)
    tags = list(prepared["tags"])
    object_kind = mesh.get("object_kind") or ""
    if object_kind and object_kind not in tags:
        tags.insert(0, object_kind[:40])
    kind = prepared["kind"]
    if prepared.get("kind_inferred") and mesh.get("asset_kind"):
        kind = mesh["asset_kind"]
    return {
        "name": prepared["name"],
        "kind": kind,
        "visibility": "private" if held else requested,
        "visibility_held": held,
        "visibility_note": HELD_NOTE if held else "",
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
            "approximate": approximate,
            "approximate_reason": mesh.get("reason") or "",
            "suggestions": list(mesh.get("suggestions") or []),
            "requested_visibility": requested,
            "notes": notes,
            "presets": list(prepared["presets"]),
            "optimize": {
                key: optimized[key]
                for key in ("vertices_before", "vertex_count", "triangles_before", "triangle_count")
                if key in optimized
            },
        },
    }
