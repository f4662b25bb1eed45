"""The catalogue of object kinds the local provider builds, one module per family.

`FAMILIES` lists the families in a fixed order; `KINDS` maps each kind name to its record and
`FAMILY_OF` to its family. A kind's words (synonyms and phrases) are what the prompt parser
recognises; a family's hints are words naming only the family ("a vehicle").
"""

from __future__ import annotations

from pipelines.providers.procedural.catalogue import (
    armor,
    buildings,
    characters,
    containers,
    creatures,
    food,
    furniture,
    lights,
    magic,
    plants,
    signs,
    terrain,
    tools,
    treasure,
    vehicles,
    weapons,
)
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind

FAMILIES: tuple[Family, ...] = (
    weapons.FAMILY,
    armor.FAMILY,
    treasure.FAMILY,
    furniture.FAMILY,
    containers.FAMILY,
    tools.FAMILY,
    food.FAMILY,
    plants.FAMILY,
    terrain.FAMILY,
    buildings.FAMILY,
    vehicles.FAMILY,
    creatures.FAMILY,
    characters.FAMILY,
    lights.FAMILY,
    signs.FAMILY,
    magic.FAMILY,
)
KINDS: dict[str, Kind] = {k.name: k for f in FAMILIES for k in f.kinds}
FAMILY_OF: dict[str, Family] = {k.name: f for f in FAMILIES for k in f.kinds}
FAMILY_BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}


def asset_kind_of(kind: str) -> str:
    """Return the gallery asset kind (weapon, creature, ...) a built kind files under."""
    return KINDS[kind].asset_kind or FAMILY_OF[kind].asset_kind


__all__ = [
    "FAMILIES",
    "FAMILY_BY_NAME",
    "FAMILY_OF",
    "KINDS",
    "Ctx",
    "Family",
    "Kind",
    "asset_kind_of",
]
