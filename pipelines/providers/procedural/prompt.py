"""Read a prompt: which object it names, what shapes it, and how sure the reading is.

The prompt is split into words; known names (single words or phrases such as "street lamp")
are matched longest first; the words are cut into phrases at words such as *with, holding,
of, on, and*. The object is the last known name of the first phrase that has one (the
English head noun): "a steampunk robot owl" is an owl combined with a robot. Phrases after
*with/holding/wearing/and* are attachments ("with rubies", "with three legs", "holding a
lantern"); phrases after *on/in/near/for* are context and are ignored.

When no known name is found the reading is `approximate`: it picks the nearest family
(from a family word such as "vehicle", a known word inside the unknown one, a near spelling,
or the asset kind the user chose), says why, and suggests the closest known kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipelines.providers.procedural.catalogue import FAMILIES, FAMILY_BY_NAME, FAMILY_OF, KINDS
from pipelines.providers.procedural.materials import COLOR_WORDS, GEM_WORDS, MATERIAL_WORDS

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def tokenize(text: str) -> list[str]:
    """Lower-case `text` and split it into words; possessive 's is dropped, hyphens split."""
    return _WORD.findall(_POSSESSIVE.sub("", text.lower()))


def _index(entries: dict[str, str]) -> dict[str, str]:
    """Index phrases by their words joined with spaces and, for compounds, with nothing."""
    out: dict[str, str] = {}
    for phrase, value in entries.items():
        toks = tokenize(phrase)
        out.setdefault(" ".join(toks), value)
        out.setdefault("".join(toks), value)
    return out


# Known names: phrase -> kind, and family words: phrase -> family name.
VOCABULARY: dict[str, str] = _index(
    {w: k.name for f in FAMILIES for k in f.kinds for w in (k.name.replace("_", " "), *k.words)}
)
FAMILY_WORDS: dict[str, str] = _index({w: f.name for f in FAMILIES for w in f.hints})
MAX_PHRASE = max(len(p.split()) for p in VOCABULARY)

# Words that, named with another kind, change it ("a zombie knight") or name it by trait.
WORD_TRAITS = {
    "zombie": "zombie",
    "orc": "zombie",
    "golem": "golem",
    "cyborg": "robot",
    "undead": "skeleton",
    "werewolf": "dragon",
}

# Words after which a new phrase starts, and what that phrase does.
ATTACH = frozenset(
    {"with", "holding", "wielding", "carrying", "wearing", "and", "plus", "having", "bearing"}
)
CONTEXT = frozenset(
    {"on", "in", "near", "under", "beside", "next", "inside", "atop", "behind", "from", "by",
     "at", "for", "riding", "above", "below", "into", "onto", "against", "without", "like"}
)  # fmt: skip
OWNED = frozenset({"of", "made", "covered", "full", "filled"})
BREAKS = ATTACH | CONTEXT | OWNED

NUMBERS = {
    "one": 1, "single": 1, "two": 2, "pair": 2, "couple": 2, "twin": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "dozen": 12, "a": 1, "an": 1,
}  # fmt: skip
# Nouns a builder can count ("with three legs"); singular forms.
COUNT_NOUNS = frozenset(
    "leg wheel tower arm candle sail petal door shelf spike horn wing point prong fin engine "
    "mast rung step stone rune face post tier coin bar finger tooth slat seat storey floor "
    "light stripe sign paper pebble crystal tine blade frond drawer head eye tentacle".split()
)
# Attachments every kind can take, added by the composer.
FEATURES = {"horn": "horns", "wing": "wings", "spike": "spikes", "antenna": "antenna", "antennae": "antenna",
            "gear": "gears", "cog": "gears", "moss": "moss", "vine": "moss", "ivy": "moss"}  # fmt: skip
TRIM_NOUNS = frozenset(
    "trim bands band hoops hoop details detail inlay inlays accents accent rim edges edge lock "
    "handle hilt guard studs rivets filigree frame fittings plating".split()
)

SIZE_WORDS = {
    "colossal": 2.0, "gigantic": 1.8, "giant": 1.6, "huge": 1.6, "enormous": 1.7,
    "massive": 1.5, "large": 1.3, "big": 1.3, "small": 0.75, "little": 0.7, "mini": 0.6,
    "miniature": 0.5, "tiny": 0.55, "petite": 0.7,
}  # fmt: skip
LONG_WORDS = {"long": 1.35, "tall": 1.35, "towering": 1.6, "elongated": 1.4, "lanky": 1.3,
              "short": 0.7, "stubby": 0.6, "squat": 0.7, "low": 0.8, "flat": 0.75}  # fmt: skip
WIDE_WORDS = {
    "wide": 1.35, "broad": 1.35, "fat": 1.4, "thick": 1.3, "chunky": 1.35, "bulky": 1.35,
    "stout": 1.3, "heavy": 1.2, "chubby": 1.3, "plump": 1.3, "thin": 0.7, "narrow": 0.7,
    "slim": 0.72, "slender": 0.72, "skinny": 0.65, "sleek": 0.8,
}  # fmt: skip
ORNATE_WORDS = frozenset(
    "ornate decorated fancy royal ceremonial engraved jeweled jewelled elaborate luxurious "
    "regal epic legendary gilded noble majestic".split()
)
BROKEN_WORDS = frozenset(
    "broken damaged ruined cracked shattered chipped abandoned destroyed wrecked snapped".split()
)
ROUND_WORDS = frozenset({"round", "rounded", "circular", "curved", "spherical"})
GLOW_WORDS = frozenset(
    "glowing magic magical enchanted luminous shining arcane radiant glowy neon mystic mystical".split()
)
CONDITION_WORDS = {
    "rusty": "rusty", "rusted": "rusty", "corroded": "rusty", "mossy": "mossy",
    "overgrown": "mossy", "moss": "mossy", "weathered": "worn", "worn": "worn", "old": "worn",
    "ancient": "worn", "battered": "worn", "dusty": "worn", "burnt": "burnt", "burned": "burnt",
    "charred": "burnt", "scorched": "burnt", "haunted": "spooky", "spooky": "spooky",
    "creepy": "spooky", "cursed": "spooky", "evil": "spooky", "snowy": "frosty", "frosty": "frosty",
    "wintry": "frosty",
}  # fmt: skip
STYLE_WORDS = {
    "steampunk": "steampunk", "clockwork": "steampunk", "victorian": "steampunk",
    "scifi": "scifi", "futuristic": "scifi", "cyberpunk": "scifi", "cyber": "scifi",
    "hightech": "scifi", "space": "scifi", "gothic": "gothic", "dark": "gothic",
    "elven": "elven", "elvish": "elven", "fairy": "elven",
}  # fmt: skip
TWO_HANDED = frozenset({"twohanded", "greatsword", "claymore", "zweihander", "great"})
DOUBLE = frozenset({"doublebladed", "double", "doubleheaded", "twin", "dual"})
FILLER = frozenset(
    "a an the some my your this that these those very really of made shaped style styled "
    "looking type kind version model asset game ready prop object thing item 3d lowpoly poly "
    "highpoly pbr realistic stylized stylised cartoon cartoony detailed textured hd render".split()
)
# Which family a user's asset kind points at when the prompt names nothing known.
ASSET_KIND_FAMILY = {
    "weapon": "weapons", "armor": "armor", "building": "buildings", "vehicle": "vehicles",
    "creature": "creatures", "character": "characters", "environment": "terrain",
    "prop": "containers", "other": "magic",
}  # fmt: skip


_KNOWN_NOUNS = frozenset(VOCABULARY) | frozenset(FAMILY_WORDS) | COUNT_NOUNS | frozenset(FEATURES)
_KNOWN_NOUNS |= frozenset(TRIM_NOUNS)


@dataclass(frozen=True)
class Attachment:
    """Something the prompt adds to the object: another kind, gems or a generic feature."""

    verb: str
    count: int | None = None
    kind: str | None = None
    gem: str | None = None
    feature: str | None = None
    word: str = ""


@dataclass
class Reading:
    """What a prompt asks for: the object kind, how sure that is, and the words that shape it."""

    kind: str
    family: str
    asset_kind: str
    words: frozenset[str]
    approximate: bool = False
    reason: str = ""
    suggestions: tuple[str, ...] = ()
    matched: str = ""
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
    material_word: str | None = None
    trim_material: str | None = None
    color: str | None = None
    color_word: str | None = None
    conditions: frozenset[str] = frozenset()
    styles: frozenset[str] = frozenset()
    combine: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    def has(self, *words: str) -> bool:
        """Return True if any of `words` is in the prompt."""
        return any(w in self.words for w in words)


@dataclass
class _Unit:
    text: str
    kind: str | None = None
    family: str | None = None
    plural: bool = False


def singular(word: str) -> str:
    """Return the singular of `word` when that singular is a word the parser knows."""
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("ves", "fe"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            single = word[: -len(suffix)] + repl
            if single in _KNOWN_NOUNS:
                return single
    return word


def _lookup(tokens: list[str]) -> tuple[str | None, str | None, bool]:
    """Return (kind, family, plural) named by `tokens` taken as one phrase."""
    spaced = " ".join(tokens)
    for key in (spaced, "".join(tokens)):
        if key in VOCABULARY:
            return VOCABULARY[key], None, False
        if key in FAMILY_WORDS:
            return None, FAMILY_WORDS[key], False
    last = singular(tokens[-1])
    if last != tokens[-1]:
        key = " ".join([*tokens[:-1], last])
        if key in VOCABULARY:
            return VOCABULARY[key], None, True
        if key in FAMILY_WORDS:
            return None, FAMILY_WORDS[key], True
    return None, None, False


def _units(tokens: list[str]) -> list[_Unit]:
    """Group tokens into known names (longest first) and single words."""
    out: list[_Unit] = []
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            piece = tokens[i : i + n]
            kind, family, plural = _lookup(piece)
            if (kind or family) and not (n == 1 and piece[0] in BREAKS):
                out.append(_Unit(" ".join(piece), kind, family, plural))
                i += n
                break
        else:
            out.append(_Unit(tokens[i]))
            i += 1
    return out


def _phrases(units: list[_Unit]) -> list[tuple[str | None, list[_Unit]]]:
    """Cut units into (leading break word, units) phrases; "and" after "with" stays an attachment."""
    phrases: list[tuple[str | None, list[_Unit]]] = [(None, [])]
    for u in units:
        if u.kind is None and u.family is None and u.text in BREAKS:
            verb = u.text
            previous = phrases[-1][0]
            if verb == "and" and previous in ATTACH - {"and"}:
                verb = previous
            phrases.append((verb, []))
        else:
            phrases[-1][1].append(u)
    return [(v, us) for v, us in phrases if us]


def _bigrams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


_SINGLE_NAMES = [w for w in VOCABULARY if " " not in w and len(w) >= 3]
_GRAM_COUNT = {w: len(_bigrams(w)) for w in _SINGLE_NAMES}
_BY_GRAM: dict[str, list[str]] = {}
for _name in _SINGLE_NAMES:
    for _gram in _bigrams(_name):
        _BY_GRAM.setdefault(_gram, []).append(_name)


def _closest(word: str, limit: int = 4, cutoff: float = 0.5) -> list[tuple[float, str]]:
    """Return up to `limit` (score, kind) pairs whose names are spelt most like `word`.

    Scores are the better of shared letter pairs (Dice) and difflib's ratio, which forgives
    swapped letters ("sowrd"); only names sharing a letter pair with `word` are scored, so an
    unknown word costs well under a millisecond.
    """
    grams = _bigrams(word)
    shared: dict[str, int] = {}
    for gram in grams:
        for name in _BY_GRAM.get(gram, ()):
            shared[name] = shared.get(name, 0) + 1
    scored: dict[str, float] = {}
    for name, common in shared.items():
        score = 2 * common / (len(grams) + _GRAM_COUNT[name])
        if abs(len(name) - len(word)) <= 1 and (name[0] == word[0] or name[-1] == word[-1]):
            score = max(score, SequenceMatcher(None, word, name).ratio())
        kind = VOCABULARY[name]
        if score >= cutoff and score > scored.get(kind, 0.0):
            scored[kind] = score
    return sorted(((s, k) for k, s in scored.items()), key=lambda p: (-p[0], p[1]))[:limit]


def _inside(word: str) -> str | None:
    """Return the kind of the longest known word that starts or ends `word` ("hovership")."""
    best: tuple[int, str] | None = None
    for n in range(len(word) - 3, 3, -1):
        for piece in (word[-n:], word[:n]):
            if piece in VOCABULARY and (best is None or n > best[0]):
                best = (n, VOCABULARY[piece])
        if best:
            return best[1]
    return None


def _suggest(family: str, first: list[str], built: str) -> tuple[str, ...]:
    out: list[str] = []
    for k in [*first, *(k.name for k in FAMILY_BY_NAME[family].kinds)]:
        if k not in out and k != built:
            out.append(k)
    return tuple(out[:3])


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def read_prompt(prompt: str, negative_prompt: str = "", kind_hint: str | None = None) -> Reading:
    """Read the object kind and modifiers from `prompt`, ignoring words of `negative_prompt`.

    `kind_hint` is the asset kind the user chose (weapon, creature, ...), used only when the
    prompt names nothing known.
    """
    banned = set(tokenize(negative_prompt))
    tokens = [t for t in tokenize(prompt) if t not in banned]
    words = set(tokens)
    words.update("".join(p) for p in re.findall(r"([a-z0-9]+)-([a-z0-9]+)", prompt.lower()))
    phrases = _phrases(_units(tokens))
    own = [(v, us) for v, us in phrases if v is None or v in OWNED]
    head_phrase = next((us for v, us in own if any(u.kind for u in us)), None)
    if head_phrase is None:
        head_phrase = next(
            (us for v, us in phrases if v == "and" and any(u.kind for u in us)), None
        )
    r = Reading(kind="", family="", asset_kind="", words=frozenset(words))

    material_units = {id(u) for _, us in own for u in us if u.text in MATERIAL_WORDS}
    if head_phrase is not None:
        kinds = [u for u in head_phrase if u.kind]
        head = kinds[-1]
        r.kind, r.matched, r.plural = head.kind, head.text, head.plural
        combine = []
        for u in kinds[:-1]:
            if id(u) in material_units:
                continue
            trait = KINDS[u.kind].trait or WORD_TRAITS.get(u.text)
            if trait and trait not in combine:
                combine.append(trait)
            elif not trait:
                r.ignored += (u.text,)
        head_trait = WORD_TRAITS.get(head.text)
        if head_trait and head_trait not in combine:
            combine.append(head_trait)
        r.combine = tuple(combine)
        _compound_head(r, head_phrase, head)
    else:
        _approximate(r, phrases, own, kind_hint)
    r.family = FAMILY_OF[r.kind].name
    r.asset_kind = KINDS[r.kind].asset_kind or FAMILY_OF[r.kind].asset_kind
    _modifiers(r, own, head_phrase)
    _attachments(r, phrases)
    return r


def _names_a_thing(u: _Unit) -> bool:
    """Whether unit `u` is a content word: not a family, filler, number or modifier word."""
    t = u.text
    return not (
        u.family
        or t in FILLER
        or t in NUMBERS
        or t.isdigit()
        or t in COLOR_WORDS
        or t in MATERIAL_WORDS
        or t in SIZE_WORDS
        or t in LONG_WORDS
        or t in WIDE_WORDS
        or t in ORNATE_WORDS | BROKEN_WORDS | ROUND_WORDS | GLOW_WORDS
        or t in CONDITION_WORDS
        or t in STYLE_WORDS
    )


def _compound_head(r: Reading, head_phrase: list[_Unit], head: _Unit) -> None:
    """Flag a known name followed by an unknown noun ("fire hydrant", "sword rack").

    In English the last noun of a compound names the thing; the known word before it is only
    what it is for or made of, so the object built is the closest match, not the one asked for.
    """
    after = head_phrase[head_phrase.index(head) + 1 :]
    unknown = [
        u.text
        for u in after
        if not u.kind and _names_a_thing(u) and not u.text.endswith(("ing", "ly", "ed"))
    ]
    if not unknown:
        return
    asked = " ".join([head.text, *unknown])
    r.approximate = True
    r.reason = (
        f"No builder for '{asked}' yet — made the closest match, {_label(r.kind)}; "
        "try: " + ", ".join(_label(s) for s in _suggest(FAMILY_OF[r.kind].name, [], r.kind))
    )
    r.suggestions = _suggest(FAMILY_OF[r.kind].name, [], r.kind)


def _approximate(r: Reading, phrases, own, kind_hint: str | None) -> None:
    """Choose the nearest family's object for a prompt with no known name, and say so."""
    r.approximate = True
    family_unit = next((u for _, us in own for u in us if u.family), None)
    content = [u.text for _, us in (own or phrases) for u in us if _names_a_thing(u)]
    unknown = content[-1] if content else ""
    close = _closest(unknown) if unknown else []
    if family_unit is not None:
        family = family_unit.family
        kind = FAMILY_BY_NAME[family].generic
        label = FAMILY_BY_NAME[family].label
        r.reason = f"'{family_unit.text}' names a family, not an object — made a generic {label}"
        if unknown:
            r.reason = f"No builder for '{unknown}' yet — made a generic {label}"
    else:
        inside = _inside(unknown) if len(unknown) > 5 else None
        typo = close[0][1] if close and close[0][0] >= 0.75 else None
        if inside or typo:
            kind = inside or typo
            family = FAMILY_OF[kind].name
            r.reason = f"No builder for '{unknown}' yet — made the closest match, {_label(kind)}"
        else:
            family = ASSET_KIND_FAMILY.get(kind_hint or "", "containers")
            kind = FAMILY_BY_NAME[family].generic
            label = FAMILY_BY_NAME[family].label
            if unknown:
                r.reason = f"No builder for '{unknown}' yet — made a generic {label}"
            else:
                r.reason = f"The prompt names no object — made a generic {label}"
    r.kind = kind
    r.matched = unknown
    r.suggestions = _suggest(family, [k for score, k in close if score >= 0.75], kind)
    r.reason += "; try: " + ", ".join(_label(s) for s in r.suggestions)


def _modifiers(r: Reading, own, head_phrase) -> None:
    """Apply size, shape, material, colour, condition and style words of the object's phrases."""
    units = [u for _, us in own for u in us]
    if head_phrase is not None and not own:
        units = list(head_phrase)
    # Words inside a matched name count for size and shape ("short sword") but not as the
    # object's material or colour ("a crystal ball" is an orb, not a crystal-coloured one).
    texts = [t for u in units for t in u.text.split()]
    named = {t for u in units if u.kind and u.text == r.matched for t in u.text.split()}
    size = long = wide = 1.0
    conditions, styles = set(), set()
    for t in texts:
        size *= SIZE_WORDS.get(t, 1.0)
        long *= LONG_WORDS.get(t, 1.0)
        wide *= WIDE_WORDS.get(t, 1.0)
        if t in CONDITION_WORDS:
            conditions.add(CONDITION_WORDS[t])
        if t in STYLE_WORDS:
            styles.add(STYLE_WORDS[t])
        if t in MATERIAL_WORDS and r.material is None and t not in named:
            r.material, r.material_word = MATERIAL_WORDS[t], t
        if t in COLOR_WORDS and r.color is None and t not in named:
            r.color, r.color_word = COLOR_WORDS[t], t
    if r.material is None and r.matched in GEM_WORDS and r.color is None:
        r.color, r.color_word = GEM_WORDS[r.matched], r.matched
    if "sci fi" in " ".join(texts):
        styles.add("scifi")
    r.size = min(max(size, 0.3), 2.5)
    r.long = min(max(long, 0.4), 2.0)
    r.wide = min(max(wide, 0.4), 2.0)
    present = set(texts)
    r.ornate = bool(present & ORNATE_WORDS)
    r.broken = bool(present & BROKEN_WORDS)
    r.round = bool(present & ROUND_WORDS)
    r.glow = bool(present & GLOW_WORDS)
    r.two_handed = bool(r.words & TWO_HANDED)
    r.double = bool(r.words & DOUBLE)
    r.conditions = frozenset(conditions)
    r.styles = frozenset(styles)


def _attachments(r: Reading, phrases) -> None:
    """Read "with ..." phrases into attachments, counts and a trim material."""
    found: list[Attachment] = []
    for verb, units in phrases:
        if verb not in ATTACH:
            continue
        count: int | None = None
        material: str | None = None
        for u in units:
            t = u.text
            if t in NUMBERS or t.isdigit():
                count = NUMBERS.get(t) or min(int(t), 60)
                continue
            if t in MATERIAL_WORDS and not u.kind:
                material = MATERIAL_WORDS[t]
                continue
            if t in COLOR_WORDS and not u.kind:
                if r.color is None:
                    r.color, r.color_word = COLOR_WORDS[t], t
                continue
            noun = singular(t)
            if noun in COUNT_NOUNS and count is not None and count > 0:
                r.counts[noun] = count
            if t in GEM_WORDS:
                found.append(Attachment(verb, count, gem=GEM_WORDS[t], word=t))
            elif u.kind:
                found.append(Attachment(verb, count or 1, kind=u.kind, word=t))
            elif noun in FEATURES:
                found.append(Attachment(verb, count, feature=FEATURES[noun], word=t))
            elif noun in TRIM_NOUNS and material:
                r.trim_material = material
            elif noun not in COUNT_NOUNS and t not in FILLER and t not in ORNATE_WORDS:
                r.ignored += (t,)
            count = None if noun in COUNT_NOUNS or u.kind or t in GEM_WORDS else count
        if material and r.trim_material is None:
            r.trim_material = material
    r.attachments = tuple(found)


def infer_asset_kind(prompt: str) -> str:
    """Return the gallery asset kind (weapon, creature, building, ...) the prompt describes."""
    return read_prompt(prompt).asset_kind
