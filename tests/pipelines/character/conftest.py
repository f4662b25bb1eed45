"""Shared character configurations for the character tests."""

import copy

import pytest

FULL = {
    "species": "humanoid",
    "body": {"height": 1.75, "build": 0.5, "head_size": 1.0, "limb_length": 1.0},
    "colours": {
        "skin": "#c68642", "hair": "#2b1b10", "eyes": "#2a4d8f", "shirt": "#8c2f2f",
        "trousers": "#3a3f4a", "boots": "#5a3a22", "armor": "#b8bec6", "trim": "#c9a043",
        "fur": "#8a6a4a",
    },
    "armor": ["helmet", "breastplate", "pauldrons", "gauntlets", "greaves"],
    "held": ["shield", "weapon"],
    "clips": ["idle", "walk", "run", "wave", "grip", "attack"],
}  # fmt: skip


@pytest.fixture
def full_config() -> dict:
    """A knight: every armor slot, shield and sword, all six clips."""
    return copy.deepcopy(FULL)
