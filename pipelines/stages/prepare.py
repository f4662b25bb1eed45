"""Stage `prepare`: normalise the prompt and settle everything later stages need to know."""

import re
from typing import Any

from pipelines.providers.procedural.prompt import read_prompt

# Triangle budget per quality: what `optimize` reduces a mesh to, at most.
TRIANGLE_BUDGETS = {"draft": 10_000, "standard": 50_000, "high": 150_000}

_STOPWORDS = frozenset(
    """a an the of with and or for to in on at by from into onto over under very some
    made make my your its it this that these those is are be as like old new""".split()
)
_ARTICLES = ("a ", "an ", "the ")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TAGS = 8
MAX_NAME_LENGTH = 80


def prompt_normalise(prompt: str) -> str:
    """Return `prompt` with surrounding and repeated whitespace removed."""
    return " ".join(prompt.split())


def name_from_prompt(prompt: str) -> str:
    """Return a short asset name for `prompt`: leading article dropped, first letter capital."""
    text = prompt_normalise(prompt).rstrip(".!")
    lowered = text.lower()
    for article in _ARTICLES:
        if lowered.startswith(article) and len(text) > len(article):
            text = text[len(article) :]
            break
    words = text.split()
    name = " ".join(words[:8])
    if len(name) > MAX_NAME_LENGTH:
        name = name[: MAX_NAME_LENGTH - 1].rstrip() + "…"
    return name[:1].upper() + name[1:] if name else "Generated asset"


def tags_from_prompt(prompt: str) -> list[str]:
    """Return up to eight distinct keyword tags from `prompt`, in prompt order."""
    tags: list[str] = []
    for word in _WORD.findall(prompt.lower()):
        if len(word) < 3 or word in _STOPWORDS or word.isdigit() or word in tags:
            continue
        tags.append(word[:40])
        if len(tags) == MAX_TAGS:
            break
    return tags


def kind_infer(prompt: str, negative_prompt: str = "") -> str:
    """Return the asset kind (weapon, creature, building, ...) that `prompt` describes.

    Uses the local provider's catalogue of names, so "a dragon" is a creature and "a
    spaceship" a vehicle whichever provider then builds it; a prompt naming nothing known
    gets the kind of the nearest family (or "prop").
    """
    return read_prompt(prompt, negative_prompt).asset_kind


def prepare(*, config: dict[str, Any]) -> dict[str, Any]:
    """Return the normalised generation request that the following stages run from.

    A missing or empty `kind` is inferred from the prompt (`kind_inferred` says so), so
    gallery filters find what was made; `confirm_approximate` carries the user's consent
    to publish an approximate result publicly.
    """
    prompt = prompt_normalise(config["prompt"])
    negative_prompt = prompt_normalise(config.get("negative_prompt", ""))
    kind = config.get("kind") or ""
    return {
        "prompt": prompt,
        "negative_prompt": negative_prompt,
        "kind": kind or kind_infer(prompt, negative_prompt),
        "kind_inferred": not kind,
        "confirm_approximate": bool(config.get("confirm_approximate", False)),
        "art_style": config["art_style"],
        "quality": config["quality"],
        "seed": int(config["seed"]),
        "presets": list(config.get("presets", [])),
        "visibility": config.get("visibility", "private"),
        "name": name_from_prompt(prompt),
        "tags": tags_from_prompt(prompt),
        "triangle_budget": TRIANGLE_BUDGETS[config["quality"]],
    }
