from django.urls import path

from errors.api import views

app_name = "errors-api"

urlpatterns = [
    path("errors/groups/", views.ErrorGroupListApi.as_view(), name="group-list"),
    path("errors/groups/<int:group_id>/", views.ErrorGroupDetailApi.as_view(), name="group-detail"),
    path(
        "errors/groups/<int:group_id>/resolve/",
        views.ErrorGroupResolveApi.as_view(),
        name="group-resolve",
    ),
    path(
        "errors/groups/<int:group_id>/ignore/",
        views.ErrorGroupIgnoreApi.as_view(),
        name="group-ignore",
    ),
    path(
        "errors/groups/<int:group_id>/reopen/",
        views.ErrorGroupReopenApi.as_view(),
        name="group-reopen",
    ),
    path("errors/occurrences/", views.ErrorOccurrenceListApi.as_view(), name="occurrence-list"),
    path(
        "errors/occurrences/<int:occurrence_id>/",
        views.ErrorOccurrenceDetailApi.as_view(),
        name="occurrence-detail",
    ),
    path("errors/aggregations/", views.ErrorAggregationListApi.as_view(), name="aggregations"),
    path("errors/stats/", views.ErrorStatsApi.as_view(), name="stats"),
]
