"""Stage `prepare`: normalise the prompt and settle everything later stages need to know."""

import re
from typing import Any

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


def prepare(*, config: dict[str, Any]) -> dict[str, Any]:
    """Return the normalised generation request that the following stages run from."""
    prompt = prompt_normalise(config["prompt"])
    return {
        "prompt": prompt,
        "negative_prompt": prompt_normalise(config.get("negative_prompt", "")),
        "kind": config["kind"],
        "art_style": config["art_style"],
        "quality": config["quality"],
        "seed": int(config["seed"]),
        "presets": list(config.get("presets", [])),
        "visibility": config.get("visibility", "private"),
        "name": name_from_prompt(prompt),
        "tags": tags_from_prompt(prompt),
        "triangle_budget": TRIANGLE_BUDGETS[config["quality"]],
    }
