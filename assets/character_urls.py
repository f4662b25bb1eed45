from django.urls import path

from assets import character_views as views

app_name = "characters"

urlpatterns = [
    path("", views.character_list, name="list"),
    path("new/", views.character_new, name="new"),
    path("preview/", views.character_preview_panel, name="preview-panel"),
    path("preview.glb", views.character_preview, name="preview"),
    path("pieces/<slug:slot>.png", views.character_piece_thumbnail, name="piece-thumbnail"),
    path("<uuid:character_id>/", views.character_detail, name="detail"),
    path("<uuid:character_id>/retarget/", views.character_retarget, name="retarget"),
]
