"""Generation preferences: what the generate form offers a user first, learnt from their runs."""

from typing import Any

from django.db import transaction

from pipelines.models import GenerationPreferences

# How many preset slugs the usage counts keep (the least used are dropped beyond it).
PRESET_USES_MAX = 50


@transaction.atomic
def generation_preferences_record(*, user, config: dict[str, Any]) -> GenerationPreferences:
    """Remember `config`'s style, quality and presets as `user`'s defaults; count the presets.

    Row-locked, so concurrent runs of one user never lose a count.
    """
    preferences, _ = GenerationPreferences.objects.get_or_create(user=user)
    preferences = GenerationPreferences.objects.select_for_update().get(pk=preferences.pk)
    presets = [str(slug) for slug in config.get("presets") or []]
    uses = {slug: int(count) for slug, count in (preferences.preset_uses or {}).items()}
    for slug in presets:
        uses[slug] = uses.get(slug, 0) + 1
    if len(uses) > PRESET_USES_MAX:
        kept = sorted(uses, key=lambda slug: (-uses[slug], slug))[:PRESET_USES_MAX]
        uses = {slug: uses[slug] for slug in kept}
    preferences.art_style = config.get("art_style") or ""
    preferences.quality = config.get("quality") or ""
    preferences.presets = presets
    preferences.preset_uses = uses
    preferences.save()
    return preferences
