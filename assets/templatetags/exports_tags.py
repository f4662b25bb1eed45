"""Template helpers of exports: the asset page's export dialog and signed download links."""

from django import template

from assets.exports.links import export_link_make
from assets.exports.selectors import export_preset_list
from pipelines.stages.export import FORMATS

register = template.Library()


@register.inclusion_tag("assets/partials/_export_dialog.html", takes_context=True)
def export_dialog(context, asset):
    """Render the Export button and dialog for `asset` (format, quality, variants, preset)."""
    user = context["request"].user
    variants = [v for v in asset.variants.all() if v.status == "ready" and v.model_file]
    return {
        "asset": asset,
        "formats": list(FORMATS.values()),
        "presets": list(export_preset_list(user=user)),
        "variants": variants,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def export_link(job) -> str:
    """Return `job`'s signed download link, or "" once its files are gone."""
    return export_link_make(job) if job.files_available else ""
