"""Server-rendered export pages (history, the asset page's dialog, batch export)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from assets.exports.selectors import export_list


@login_required
def export_list_view(request):
    """The signed-in user's exports, newest first."""
    jobs = export_list(user=request.user)[:100]
    return render(request, "assets/export_list.html", {"jobs": jobs})
