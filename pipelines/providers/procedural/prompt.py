"""Read a prompt: which object it names and which words shape it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.providers.procedural.materials import COLOR_WORDS, MATERIAL_WORDS

# Object kind -> words that name it. Order matters only for the documentation table.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "sword": (
        "sword", "blade", "katana", "longsword", "greatsword", "broadsword", "shortsword",
        "sabre", "saber", "scimitar", "rapier", "claymore", "dagger", "knife", "cutlass",
    ),
    "axe": ("axe", "ax", "hatchet", "battleaxe", "tomahawk", "halberd"),
    "hammer": ("hammer", "warhammer", "mallet", "maul", "mace", "sledgehammer"),
    "spear": ("spear", "lance", "pike", "javelin", "polearm", "glaive", "trident"),
    "bow": ("bow", "longbow", "shortbow", "crossbow", "recurve"),
    "staff": ("staff", "wand", "rod", "sceptre", "scepter", "quarterstaff"),
    "shield": ("shield", "buckler", "aegis", "pavise"),
    "helmet": ("helmet", "helm", "casque", "headgear", "bascinet", "hat"),
    "chest": ("chest", "coffer", "trunk", "lootbox", "treasure", "strongbox"),
    "barrel": ("barrel", "cask", "keg", "hogshead"),
    "crate": ("crate", "box", "container", "packing"),
    "chair": ("chair", "stool", "seat", "throne", "armchair"),
    "table": ("table", "desk", "workbench", "bench", "counter"),
    "tree": ("tree", "oak", "pine", "fir", "spruce", "conifer", "birch", "sapling", "willow"),
    "rock": ("rock", "boulder", "pebble", "crag", "stones"),
    "house": (
        "house", "cottage", "cabin", "hut", "home", "shack", "building", "inn", "tavern",
        "barn", "shop", "farmhouse", "dwelling",
    ),
    "tower": ("tower", "turret", "lighthouse", "keep", "spire", "watchtower", "castle", "fort"),
    "potion": ("potion", "flask", "vial", "elixir", "phial", "tonic", "philter"),
    "bottle": ("bottle", "wine", "jar", "jug"),
    "lamp": ("lamp", "lantern", "lamppost", "streetlamp", "streetlight", "candle"),
    "humanoid": (
        "humanoid", "character", "person", "human", "man", "woman", "hero", "heroine",
        "knight", "warrior", "soldier", "villager", "peasant", "wizard", "mage", "sorcerer",
        "witch", "king", "queen", "prince", "princess", "elf", "dwarf", "orc", "zombie",
        "paladin", "adventurer", "ranger", "npc", "figure", "player", "boy", "girl",
        "viking", "samurai", "ninja", "pirate", "guard", "golem", "farmer", "merchant",
        "archer", "villain", "avatar",
    ),
    "quadruped": (
        "quadruped", "creature", "animal", "beast", "dog", "wolf", "horse", "cat", "fox",
        "bear", "deer", "cow", "pig", "sheep", "lion", "tiger", "pony", "goat", "hound",
        "puppy", "kitten", "dragon", "monster", "critter",
    ),
    "mushroom": ("mushroom", "toadstool", "fungus", "fungi", "shroom"),
    "crystal": ("crystal", "gem", "gemstone", "shard", "geode", "diamond", "quartz", "ore"),
    "cart": ("cart", "wagon", "wheelbarrow", "carriage", "handcart", "wain"),
    "car": ("car", "automobile", "truck", "van", "jeep", "sedan", "pickup", "taxi"),
    "boat": (
        "boat", "ship", "canoe", "rowboat", "sailboat", "dinghy", "galleon", "vessel", "skiff",
        "raft", "yacht",
    ),
    "totem": ("totem", "pillar", "column", "obelisk", "monolith", "pole"),
}  # fmt: skip

WORD_TO_KIND: dict[str, str] = {w: k for k, words in SYNONYMS.items() for w in words}

# Asset-type hint -> object built when the prompt names nothing known.
FALLBACK: dict[str, str] = {
    "character": "humanoid",
    "creature": "quadruped",
    "prop": "crate",
    "weapon": "sword",
    "armor": "helmet",
    "building": "house",
    "vehicle": "cart",
    "environment": "rock",
    "other": "totem",
}

# Words after which a new phrase starts; the object is the head noun of the first phrase.
BREAKS = frozenset(
    {
        "with", "holding", "on", "in", "of", "for", "and", "carrying", "near", "under",
        "wearing", "beside", "next", "inside", "atop", "behind", "from", "by", "at", "wielding",
        "riding", "made", "covered", "full", "filled",
    }
)  # fmt: skip

SIZE_WORDS = {
    "colossal": 2.0, "gigantic": 1.8, "giant": 1.6, "huge": 1.6, "enormous": 1.7,
    "massive": 1.5, "large": 1.3, "big": 1.3, "small": 0.75, "little": 0.7, "mini": 0.6,
    "miniature": 0.5, "tiny": 0.55,
}  # fmt: skip
LONG_WORDS = {
    "long": 1.35,
    "tall": 1.35,
    "towering": 1.6,
    "elongated": 1.4,
    "short": 0.7,
    "stubby": 0.6,
    "squat": 0.7,
}
WIDE_WORDS = {
    "wide": 1.35, "broad": 1.35, "fat": 1.4, "thick": 1.3, "chunky": 1.35, "bulky": 1.35,
    "stout": 1.3, "heavy": 1.2, "thin": 0.7, "narrow": 0.7, "slim": 0.72, "slender": 0.72,
    "skinny": 0.65,
}  # fmt: skip
ORNATE_WORDS = frozenset(
    {"ornate", "decorated", "fancy", "royal", "ceremonial", "engraved", "jeweled", "jewelled",
     "elaborate", "luxurious", "regal", "epic", "legendary"}
)  # fmt: skip
BROKEN_WORDS = frozenset(
    {"broken", "damaged", "ruined", "cracked", "shattered", "chipped", "abandoned"}
)
ROUND_WORDS = frozenset({"round", "rounded", "circular", "curved"})
GLOW_WORDS = frozenset(
    {"glowing", "magic", "magical", "enchanted", "luminous", "shining", "arcane"}
)


def tokenize(prompt: str) -> list[str]:
    """Lower-case the prompt and split it into words, also joining hyphenated pairs."""
    text = prompt.lower()
    out: list[str] = []
    for raw in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text):
        pieces = raw.split("-")
        if len(pieces) > 1:
            out.append("".join(pieces))
        out.extend(pieces)
    return out


def _singular(word: str) -> str:
    if word in WORD_TO_KIND:
        return word
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + repl in WORD_TO_KIND:
            return word[: -len(suffix)] + repl
    return word


@dataclass
class Reading:
    """What a prompt asks for: the object kind and the words that shape it."""

    kind: str | None
    words: frozenset[str]
    size: float = 1.0
    long: float = 1.0
    wide: float = 1.0
    ornate: bool = False
    broken: bool = False
    round: bool = False
    glow: bool = False
    two_handed: bool = False
    double: bool = False
    plural: bool = False
    material: str | None = None
    color: str | None = None
    color_word: str | None = None
    notes: list[str] = field(default_factory=list)

    def has(self, *words: str) -> bool:
        """Return True if any of `words` is in the prompt."""
        return any(w in self.words for w in words)


def _find_kind(tokens: list[str]) -> tuple[str | None, bool]:
    phrase: list[str] = []
    phrases: list[list[str]] = [phrase]
    for t in tokens:
        if t in BREAKS:
            phrase = []
            phrases.append(phrase)
        else:
            phrase.append(t)
    for ph in phrases:
        hits = [(t, _singular(t)) for t in ph if _singular(t) in WORD_TO_KIND]
        if hits:
            raw, word = hits[-1]
            return WORD_TO_KIND[word], raw != word
    return None, False


def read_prompt(prompt: str, negative_prompt: str = "") -> Reading:
    """Read the object kind and modifiers from `prompt`, ignoring words of `negative_prompt`."""
    tokens = tokenize(prompt)
    banned = set(tokenize(negative_prompt))
    kept = [t for t in tokens if t not in banned]
    kind, plural = _find_kind(kept)
    words = frozenset(kept)
    r = Reading(kind=kind, words=words, plural=plural)
    for t in kept:
        r.size *= SIZE_WORDS.get(t, 1.0)
        r.long *= LONG_WORDS.get(t, 1.0)
        r.wide *= WIDE_WORDS.get(t, 1.0)
    r.size = min(max(r.size, 0.3), 2.5)
    r.long = min(max(r.long, 0.4), 2.0)
    r.wide = min(max(r.wide, 0.4), 2.0)
    r.ornate = bool(words & ORNATE_WORDS)
    r.broken = bool(words & BROKEN_WORDS)
    r.round = bool(words & ROUND_WORDS)
    r.glow = bool(words & GLOW_WORDS)
    r.two_handed = r.has("twohanded", "greatsword", "claymore", "zweihander", "great")
    r.double = r.has("doublebladed", "double", "doubleheaded", "twin", "dual")
    for t in kept:
        if t in MATERIAL_WORDS and r.material is None:
            # A material word that is also the object's name ("crystal") is not a material.
            if WORD_TO_KIND.get(_singular(t)) != kind:
                r.material = MATERIAL_WORDS[t]
        if t in COLOR_WORDS and r.color is None:
            r.color = COLOR_WORDS[t]
            r.color_word = t
    return r
