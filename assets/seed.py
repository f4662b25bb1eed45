"""Demo data for the gallery: material presets and procedurally built assets with variants.

Deterministic and idempotent: presets are keyed by slug, assets by `generation_params.seed_key`;
running it again adds only what is missing. Every asset is a real GLB built from trimesh
primitives (a recognisable simple object), with a thumbnail rendered by `thumbnail_render` and
a few variants that recolour its materials with a preset's colour, metalness and roughness.
`presets_ensure()` stands alone so the generation pipelines can reuse it.
"""

from dataclasses import dataclass

import numpy as np
import trimesh
from django.db import transaction

from assets.models import Asset, MaterialPreset
from assets.services import VariantInput, asset_create_generated
from assets.thumbnails import thumbnail_render

SEED_TAG = "demo"

# slug, name, category, base colour, metallic, roughness, emissive, texture prompt
PRESETS = [
    ("gold", "Polished gold", "metal", "#d4af37", 1.0, 0.25, "", "polished gold, fine scratches"),
    ("bronze", "Aged bronze", "metal", "#8c6a3a", 0.9, 0.45, "", "aged bronze with green patina"),
    ("iron", "Forged iron", "metal", "#5b5e63", 0.85, 0.6, "", "hammered dark iron"),
    ("oak", "Oak wood", "wood", "#8b5a2b", 0.0, 0.7, "", "oak planks with visible grain"),
    ("ebony", "Ebony", "wood", "#2b211c", 0.0, 0.45, "", "dark polished ebony"),
    ("granite", "Granite", "stone", "#7d7b78", 0.0, 0.85, "", "speckled grey granite"),
    ("marble", "White marble", "stone", "#e8e4da", 0.0, 0.3, "", "white marble, grey veins"),
    ("velvet", "Royal velvet", "fabric", "#6a1b4d", 0.0, 0.95, "", "deep purple velvet"),
    ("leather", "Worn leather", "leather", "#7a4a2a", 0.0, 0.75, "", "worn brown leather"),
    ("amethyst", "Amethyst", "crystal", "#9966cc", 0.1, 0.1, "", "translucent purple crystal"),
    ("moss", "Mossy", "organic", "#4f7a28", 0.0, 0.9, "", "damp moss and lichen"),
    ("bone", "Bone", "organic", "#e3dac9", 0.0, 0.6, "", "old bleached bone"),
    ("porcelain", "Porcelain", "ceramic", "#f2f4f7", 0.0, 0.2, "", "glazed blue-white porcelain"),
    ("toy-plastic", "Toy plastic", "plastic", "#e03131", 0.0, 0.35, "", "glossy toy plastic"),
    ("plasma", "Plasma", "energy", "#22d3ee", 0.0, 0.2, "#22d3ee", "glowing cyan energy"),
]


@transaction.atomic
def presets_ensure() -> list[MaterialPreset]:
    """Create the demo material presets that are missing (existing ones are left as edited)."""
    presets = []
    for order, (slug, name, category, color, metallic, roughness, emissive, prompt) in enumerate(
        PRESETS
    ):
        preset, _ = MaterialPreset.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": category,
                "base_color": color,
                "metallic": metallic,
                "roughness": roughness,
                "emissive": emissive,
                "texture_prompt": prompt,
                "display_order": (order + 1) * 10,
            },
        )
        presets.append(preset)
    return presets


@dataclass(frozen=True)
class Part:
    mesh: trimesh.Trimesh
    color: tuple[int, int, int]


def _at(mesh: trimesh.Trimesh, x=0.0, y=0.0, z=0.0, rx=0.0, rz=0.0) -> trimesh.Trimesh:
    mesh = mesh.copy()
    if rx:
        mesh.apply_transform(trimesh.transformations.rotation_matrix(rx, [1, 0, 0]))
    if rz:
        mesh.apply_transform(trimesh.transformations.rotation_matrix(rz, [0, 0, 1]))
    mesh.apply_translation([x, y, z])
    return mesh


def _box(w, h, d, **at):
    return _at(trimesh.creation.box(extents=(w, h, d)), **at)


def _cyl(r, h, sections=24, **at):
    # trimesh cylinders run along Z; glTF is Y-up, so stand them upright.
    mesh = trimesh.creation.cylinder(radius=r, height=h, sections=sections)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return _at(mesh, **at)


def _cone(r, h, sections=24, **at):
    mesh = trimesh.creation.cone(radius=r, height=h, sections=sections)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return _at(mesh, **at)


def _ball(r, sub=3, **at):
    return _at(trimesh.creation.icosphere(subdivisions=sub, radius=r), **at)


WOOD, DARK_WOOD, STEEL, GOLD = (139, 90, 43), (90, 60, 35), (170, 175, 185), (212, 175, 55)
STONE, GREEN, RED, WHITE = (125, 123, 120), (60, 130, 50), (200, 40, 40), (235, 235, 235)


def _dome(r):
    """Return a half sphere with a flat base (the lower half flattened onto y=0)."""
    mesh = trimesh.creation.icosphere(subdivisions=3, radius=r)
    mesh.vertices[:, 1] = np.maximum(mesh.vertices[:, 1], 0.0)
    return mesh


def _sword():
    return [Part(_box(0.12, 1.6, 0.03, y=1.0), STEEL), Part(_box(0.5, 0.08, 0.1, y=0.2), GOLD),
            Part(_cyl(0.045, 0.4, y=-0.05), DARK_WOOD), Part(_ball(0.07, y=-0.28), GOLD)]  # fmt: skip


def _axe():
    return [Part(_cyl(0.04, 1.4, y=0.0), WOOD), Part(_box(0.45, 0.35, 0.05, x=0.2, y=0.55), STEEL)]


def _hammer():
    return [Part(_cyl(0.04, 1.1), WOOD), Part(_box(0.45, 0.22, 0.22, y=0.6), STEEL)]


def _shield():
    return [Part(_at(_cyl(0.7, 0.08, sections=40), rx=np.pi / 2), WOOD),
            Part(_ball(0.15, z=0.06), STEEL)]  # fmt: skip


def _helmet():
    dome = _dome(0.5)
    return [Part(dome, STEEL), Part(_box(0.08, 0.35, 0.1, y=-0.1, z=0.48), STEEL)]


def _barrel():
    return [Part(_cyl(0.45, 1.1), WOOD), Part(_cyl(0.47, 0.06, y=0.35), STEEL),
            Part(_cyl(0.47, 0.06, y=-0.35), STEEL)]  # fmt: skip


def _crate():
    return [Part(_box(1, 1, 1), WOOD), Part(_box(1.02, 0.12, 1.02, y=0.3), DARK_WOOD),
            Part(_box(1.02, 0.12, 1.02, y=-0.3), DARK_WOOD)]  # fmt: skip


def _chest():
    return [Part(_box(1.0, 0.55, 0.6), WOOD),
            Part(_at(_cyl(0.3, 1.0), rz=np.pi / 2, y=0.28), WOOD),
            Part(_box(0.12, 0.18, 0.05, y=0.22, z=0.31), GOLD)]  # fmt: skip


def _table():
    legs = [Part(_box(0.08, 0.7, 0.08, x=x, z=z, y=-0.4), DARK_WOOD)
            for x in (-0.6, 0.6) for z in (-0.35, 0.35)]  # fmt: skip
    return [Part(_box(1.4, 0.08, 0.85), WOOD), *legs]


def _chair():
    legs = [Part(_box(0.06, 0.5, 0.06, x=x, z=z, y=-0.25), DARK_WOOD)
            for x in (-0.22, 0.22) for z in (-0.22, 0.22)]  # fmt: skip
    return [
        Part(_box(0.5, 0.06, 0.5), WOOD),
        Part(_box(0.5, 0.6, 0.06, y=0.3, z=-0.22), WOOD),
        *legs,
    ]


def _lamp_post():
    return [Part(_cyl(0.06, 2.4, y=1.2), (40, 40, 45)), Part(_box(0.3, 0.35, 0.3, y=2.5), (250, 220, 120)),
            Part(_cone(0.28, 0.2, sections=4, y=2.77), (40, 40, 45)), Part(_cyl(0.2, 0.1, y=0.05), (40, 40, 45))]  # fmt: skip


def _potion():
    return [Part(_ball(0.35, y=0.35), (120, 40, 180)), Part(_cyl(0.1, 0.3, y=0.8), (200, 220, 230)),
            Part(_cyl(0.11, 0.1, y=0.98), WOOD)]  # fmt: skip


def _tree():
    return [Part(_cyl(0.15, 1.2, y=0.6), DARK_WOOD), Part(_cone(0.8, 1.3, y=1.4), GREEN),
            Part(_cone(0.6, 1.0, y=2.0), GREEN)]  # fmt: skip


def _pine_forest():
    parts = []
    for i, (x, z, s) in enumerate(
        [(0, 0, 1.0), (1.2, 0.4, 0.8), (-1.0, 0.6, 0.7), (0.4, -1.1, 0.9)]
    ):
        parts += [Part(_cyl(0.1 * s, 0.6 * s, x=x, z=z, y=0.3 * s), DARK_WOOD),
                  Part(_cone(0.5 * s, 1.4 * s, x=x, z=z, y=0.6 * s), (40 + i * 10, 110, 50))]  # fmt: skip
    return parts


def _rock():
    mesh = trimesh.creation.icosphere(subdivisions=2, radius=0.6)
    rng = np.random.default_rng(7)
    mesh.vertices *= 1 + rng.uniform(-0.18, 0.18, size=(len(mesh.vertices), 1))
    mesh.vertices[:, 1] *= 0.6
    return [Part(mesh, STONE)]


def _mushroom():
    cap = _dome(0.6)
    return [Part(_cyl(0.18, 0.7, y=0.35), (240, 230, 210)), Part(_at(cap, y=0.65), RED)]


def _crystal():
    return [Part(_cone(0.3, 0.9, sections=6, y=0.3), (150, 100, 220)),
            Part(_at(_cone(0.3, 0.4, sections=6), rx=np.pi, y=0.3), (150, 100, 220))]  # fmt: skip


def _house():
    return [Part(_box(1.6, 1.0, 1.2, y=0.5), (220, 200, 170)),
            Part(_at(_cone(1.25, 0.8, sections=4), y=1.0), (150, 50, 40)),
            Part(_box(0.3, 0.55, 0.05, y=0.28, z=0.61), DARK_WOOD)]  # fmt: skip


def _tower():
    return [Part(_cyl(0.5, 2.5, y=1.25), STONE), Part(_cone(0.65, 1.0, y=3.0), (60, 70, 140)),
            Part(_cyl(0.62, 0.2, y=2.45), STONE)]  # fmt: skip


def _well():
    return [Part(_cyl(0.6, 0.6, y=0.3), STONE), Part(_box(0.08, 1.0, 0.08, x=-0.55, y=1.0), WOOD),
            Part(_box(0.08, 1.0, 0.08, x=0.55, y=1.0), WOOD),
            Part(_at(_cone(0.85, 0.45, sections=4), y=1.5), (150, 50, 40))]  # fmt: skip


def _tent():
    return [Part(_cone(0.9, 1.2, sections=4), (200, 180, 120)), Part(_cyl(0.03, 1.5, y=0.7), WOOD)]


def _cart():
    wheels = [Part(_at(_cyl(0.3, 0.08), rx=np.pi / 2, x=x, z=z, y=0.3), DARK_WOOD)
              for x in (-0.5, 0.5) for z in (-0.45, 0.45)]  # fmt: skip
    return [
        Part(_box(1.3, 0.4, 0.8, y=0.6), WOOD),
        Part(_box(0.06, 0.06, 1.0, x=0.9, y=0.5), WOOD),
        *wheels,
    ]


def _rocket():
    fins = [Part(_box(0.04, 0.4, 0.35, x=0.3 * np.cos(a), z=0.3 * np.sin(a), y=0.2), RED)
            for a in (0, np.pi / 2, np.pi, 3 * np.pi / 2)]  # fmt: skip
    return [Part(_cyl(0.3, 1.6, y=0.8), WHITE), Part(_cone(0.3, 0.6, y=1.6), RED), *fins]


def _robot():
    return [Part(_box(0.6, 0.7, 0.4, y=0.9), STEEL), Part(_box(0.4, 0.35, 0.35, y=1.45), STEEL),
            Part(_ball(0.05, x=-0.09, y=1.48, z=0.18), (30, 200, 255)),
            Part(_ball(0.05, x=0.09, y=1.48, z=0.18), (30, 200, 255)),
            Part(_box(0.15, 0.55, 0.15, x=-0.17, y=0.27), STEEL),
            Part(_box(0.15, 0.55, 0.15, x=0.17, y=0.27), STEEL),
            Part(_box(0.12, 0.55, 0.12, x=-0.4, y=0.9), STEEL),
            Part(_box(0.12, 0.55, 0.12, x=0.4, y=0.9), STEEL)]  # fmt: skip


def _snowman():
    return [Part(_ball(0.5, y=0.5), WHITE), Part(_ball(0.35, y=1.2), WHITE), Part(_ball(0.25, y=1.7), WHITE),
            Part(_at(_cone(0.05, 0.3), rx=np.pi / 2, y=1.7, z=0.25), (240, 120, 20))]  # fmt: skip


def _pillar():
    return [Part(_box(0.7, 0.15, 0.7, y=0.075), STONE), Part(_cyl(0.25, 2.0, sections=16, y=1.15), (225, 220, 210)),
            Part(_box(0.7, 0.15, 0.7, y=2.225), STONE)]  # fmt: skip


def _torch():
    return [Part(_cyl(0.05, 0.8, y=0.4), WOOD), Part(_cone(0.12, 0.3, y=0.8), (255, 140, 0))]


def _bench():
    return [Part(_box(1.6, 0.08, 0.4, y=0.45), WOOD), Part(_box(0.08, 0.45, 0.35, x=-0.65, y=0.22), STONE),
            Part(_box(0.08, 0.45, 0.35, x=0.65, y=0.22), STONE)]  # fmt: skip


def _slime():
    body = trimesh.creation.icosphere(subdivisions=3, radius=0.6)
    body.vertices[:, 1] *= 0.7
    return [Part(body, (80, 200, 90)), Part(_ball(0.08, x=-0.18, y=0.2, z=0.5), (20, 20, 20)),
            Part(_ball(0.08, x=0.18, y=0.2, z=0.5), (20, 20, 20))]  # fmt: skip


def _boat():
    hull = _box(1.8, 0.35, 0.6, y=0.17)
    return [Part(hull, WOOD), Part(_cyl(0.04, 1.6, y=1.1), DARK_WOOD),
            Part(_box(0.03, 0.9, 0.7, x=0.1, y=1.2), (240, 235, 220))]  # fmt: skip


@dataclass(frozen=True)
class DemoAsset:
    key: str
    name: str
    kind: str
    style: str
    tags: tuple[str, ...]
    build: object
    description: str
    visibility: str = "public"
    presets: tuple[str, ...] = ("gold", "oak", "marble")


DEMO_ASSETS = [
    DemoAsset("sword", "Knight's longsword", "weapon", "stylized", ("sword", "blade", "medieval"), _sword, "A straight double-edged sword with a gilded crossguard.", presets=("gold", "iron", "plasma")),
    DemoAsset("axe", "Woodcutter's axe", "weapon", "low_poly", ("axe", "tool", "medieval"), _axe, "A short-handled axe for chopping wood.", presets=("iron", "bronze", "ebony")),
    DemoAsset("hammer", "Smithing hammer", "weapon", "low_poly", ("hammer", "tool", "forge"), _hammer, "A heavy hammer from the village smithy.", presets=("iron", "gold")),
    DemoAsset("shield", "Round shield", "armor", "stylized", ("shield", "wood", "viking"), _shield, "A round wooden shield with an iron boss.", presets=("oak", "bronze", "leather")),
    DemoAsset("helmet", "Nasal helmet", "armor", "realistic", ("helmet", "armor", "medieval"), _helmet, "A domed helmet with a nose guard.", presets=("iron", "bronze", "gold")),
    DemoAsset("barrel", "Ale barrel", "prop", "stylized", ("barrel", "tavern", "wood"), _barrel, "An oak barrel bound with iron hoops.", presets=("oak", "ebony", "moss")),
    DemoAsset("crate", "Supply crate", "prop", "low_poly", ("crate", "wood", "storage"), _crate, "A sturdy wooden crate for supplies.", presets=("oak", "iron", "toy-plastic")),
    DemoAsset("chest", "Treasure chest", "prop", "cartoon", ("chest", "treasure", "loot"), _chest, "A chest with a rounded lid and a golden lock.", presets=("gold", "ebony", "bone")),
    DemoAsset("table", "Tavern table", "prop", "stylized", ("table", "tavern", "furniture"), _table, "A long table for a busy tavern.", presets=("oak", "marble", "ebony")),
    DemoAsset("chair", "Wooden chair", "prop", "low_poly", ("chair", "furniture", "wood"), _chair, "A simple chair with a straight back.", presets=("oak", "velvet", "porcelain")),
    DemoAsset("lamp-post", "Street lamp", "prop", "realistic", ("lamp", "street", "light"), _lamp_post, "A cast-iron street lamp.", presets=("iron", "bronze", "plasma")),
    DemoAsset("potion", "Healing potion", "prop", "cartoon", ("potion", "magic", "bottle"), _potion, "A round flask of something that glows.", presets=("amethyst", "plasma", "porcelain")),
    DemoAsset("tree", "Fir tree", "environment", "low_poly", ("tree", "forest", "nature"), _tree, "A layered fir tree.", presets=("moss", "marble", "gold")),
    DemoAsset("forest", "Pine grove", "environment", "low_poly", ("tree", "forest", "nature", "grove"), _pine_forest, "Four pines of different sizes.", presets=("moss", "bone")),
    DemoAsset("rock", "Boulder", "environment", "realistic", ("rock", "stone", "nature"), _rock, "A weathered boulder.", presets=("granite", "marble", "moss")),
    DemoAsset("mushroom", "Fly agaric", "environment", "cartoon", ("mushroom", "forest", "nature"), _mushroom, "A red-capped mushroom.", presets=("porcelain", "amethyst", "moss")),
    DemoAsset("crystal", "Mana crystal", "environment", "stylized", ("crystal", "magic", "gem"), _crystal, "A six-sided crystal that hums faintly.", presets=("amethyst", "plasma", "marble")),
    DemoAsset("house", "Cottage", "building", "stylized", ("house", "village", "home"), _house, "A small cottage with a pyramid roof.", presets=("granite", "oak", "marble")),
    DemoAsset("tower", "Watchtower", "building", "stylized", ("tower", "castle", "stone"), _tower, "A round stone tower with a blue spire.", presets=("granite", "marble", "bone")),
    DemoAsset("well", "Village well", "building", "low_poly", ("well", "village", "stone"), _well, "A stone well with a little roof.", presets=("granite", "oak")),
    DemoAsset("tent", "Camp tent", "building", "low_poly", ("tent", "camp"), _tent, "A canvas tent on a centre pole.", presets=("leather", "velvet")),
    DemoAsset("cart", "Hand cart", "vehicle", "stylized", ("cart", "wheels", "village"), _cart, "A four-wheeled wooden cart.", presets=("oak", "iron", "toy-plastic")),
    DemoAsset("rocket", "Toy rocket", "vehicle", "cartoon", ("rocket", "space", "toy"), _rocket, "A red and white rocket with four fins.", presets=("toy-plastic", "gold", "porcelain")),
    DemoAsset("boat", "Rowing boat", "vehicle", "low_poly", ("boat", "sail", "water"), _boat, "A small boat with one sail.", presets=("oak", "ebony")),
    DemoAsset("robot", "Service robot", "character", "stylized", ("robot", "sci-fi", "machine"), _robot, "A boxy robot with glowing eyes.", presets=("iron", "gold", "toy-plastic")),
    DemoAsset("snowman", "Snowman", "character", "cartoon", ("snowman", "winter"), _snowman, "Three snowballs and a carrot nose.", presets=("marble", "porcelain")),
    DemoAsset("slime", "Green slime", "creature", "cartoon", ("slime", "monster", "dungeon"), _slime, "A wobbly slime with beady eyes.", presets=("amethyst", "plasma", "moss")),
    DemoAsset("pillar", "Temple pillar", "building", "realistic", ("pillar", "temple", "ruins"), _pillar, "A marble column on stone plinths.", visibility="unlisted", presets=("marble", "granite")),
    DemoAsset("torch", "Wall torch", "prop", "low_poly", ("torch", "dungeon", "light"), _torch, "A wooden torch, burning.", visibility="private", presets=("ebony", "plasma")),
    DemoAsset("bench", "Garden bench", "prop", "stylized", ("bench", "garden", "furniture"), _bench, "A bench of wood on stone feet.", visibility="private", presets=("oak", "marble")),
]  # fmt: skip


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def demo_glb(parts: list[Part], preset: MaterialPreset | None = None) -> bytes:
    """Export `parts` as a GLB, each part in its colour (or all in `preset`'s material)."""
    scene = trimesh.Scene()
    for index, part in enumerate(parts):
        mesh = part.mesh.copy()
        if preset is None:
            color, metallic, roughness, emissive = part.color, 0.0, 0.65, None
        else:
            # Keep the object's light/dark structure: tint each part's shade with the preset.
            shade = 0.55 + 0.45 * (sum(part.color) / (3 * 255))
            color = tuple(int(min(255, c * shade)) for c in _hex_rgb(preset.base_color))
            metallic, roughness = preset.metallic, preset.roughness
            emissive = [c / 255 for c in _hex_rgb(preset.emissive)] if preset.emissive else None
        material = trimesh.visual.material.PBRMaterial(
            name=f"part_{index}",
            baseColorFactor=[*color, 255],
            metallicFactor=metallic,
            roughnessFactor=roughness,
            emissiveFactor=emissive,
        )
        mesh.visual = trimesh.visual.TextureVisuals(material=material)
        scene.add_geometry(mesh, node_name=f"part_{index}", geom_name=f"mesh_{index}")
    return scene.export(file_type="glb")


def seed_demo(users, stdout) -> None:
    """Add the demo presets and every missing demo asset (owned by the demo user)."""
    presets = {preset.slug: preset for preset in presets_ensure()}
    existing = set(
        Asset.objects.filter(generation_params__seed=SEED_TAG).values_list(
            "generation_params__seed_key", flat=True
        )
    )
    created = 0
    for demo in DEMO_ASSETS:
        if demo.key in existing:
            continue
        parts = demo.build()
        glb = demo_glb(parts)
        variants = []
        for slug in demo.presets:
            variant_glb = demo_glb(parts, presets[slug])
            variants.append(
                VariantInput(
                    preset=presets[slug],
                    glb=variant_glb,
                    thumbnail_png=thumbnail_render(variant_glb, size=256),
                )
            )
        asset_create_generated(
            owner=users.user,
            name=demo.name,
            description=demo.description,
            kind=demo.kind,
            art_style=demo.style,
            tags=list(demo.tags),
            visibility=demo.visibility,
            glb=glb,
            thumbnail_png=thumbnail_render(glb, size=512),
            generation_params={
                "seed": SEED_TAG,
                "seed_key": demo.key,
                "prompt": f"{demo.style.replace('_', ' ')} {demo.name.lower()}",
                "provider": "procedural",
            },
            variants=variants,
        )
        created += 1
    stdout.write(
        f"Gallery: {len(presets)} presets, {created} new demo assets "
        f"({len(DEMO_ASSETS) - created} already there)."
    )
