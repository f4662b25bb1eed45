"""The kernel's own model: API tokens for API clients."""

import uuid

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A named bearer token; only its SHA-256 is stored, the token itself is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Upper edges (milliseconds) of the latency buckets kept per aggregate row; an SLO latency
# threshold is read at the largest edge not above it (docs/observability.md).
LATENCY_EDGES_MS = (25, 50, 100, 200, 300, 500, 1000, 2500, 5000, 10000)


class RouteClass(models.TextChoices):
    API = "api"
    PAGE = "page"
    ADMIN = "admin"
    STATIC = "static"
    PROBE = "probe"


class RequestAggregate(models.Model):
    """HTTP requests of one minute, route class and status class: counts and a latency histogram.

    Written by `forge.accesslog` (buffered per process, added with one upsert per flush); the
    SLOs read availability and latency from these rows. `le_<n>` counts requests answered in
    at most n ms (cumulative, like Prometheus buckets).
    """

    minute = models.DateTimeField()
    route_class = models.CharField(max_length=10, choices=RouteClass.choices)
    status_class = models.PositiveSmallIntegerField(help_text="1 to 5: 1xx to 5xx.")
    count = models.BigIntegerField(default=0)
    duration_ms_sum = models.FloatField(default=0)
    le_25 = models.BigIntegerField(default=0)
    le_50 = models.BigIntegerField(default=0)
    le_100 = models.BigIntegerField(default=0)
    le_200 = models.BigIntegerField(default=0)
    le_300 = models.BigIntegerField(default=0)
    le_500 = models.BigIntegerField(default=0)
    le_1000 = models.BigIntegerField(default=0)
    le_2500 = models.BigIntegerField(default=0)
    le_5000 = models.BigIntegerField(default=0)
    le_10000 = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-minute"]
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "route_class", "status_class"], name="request_aggregate_key"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.minute:%Y-%m-%d %H:%M} {self.route_class} {self.status_class}xx: {self.count}"
        )
