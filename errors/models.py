"""Errors: occurrences, the groups they fall into, the groups' audit trail, hourly roll-ups."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q, Sum


class ErrorSeverity(models.TextChoices):
    DEBUG = "debug", "Debug"
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"
    CRITICAL = "critical", "Critical"


# Severity order, lowest first: alerts and "error or above" compare by index.
SEVERITY_ORDER = [choice.value for choice in ErrorSeverity]


class ErrorCategory(models.TextChoices):
    VALIDATION = "validation", "Validation"
    AUTHENTICATION = "authentication", "Authentication"
    AUTHORIZATION = "authorization", "Authorization"
    NOT_FOUND = "not_found", "Not found"
    RATE_LIMIT = "rate_limit", "Rate limit"
    EXTERNAL_SERVICE = "external_service", "External service"
    DATABASE = "database", "Database"
    TIMEOUT = "timeout", "Timeout"
    INTERNAL = "internal", "Internal"


class ErrorGroupStatus(models.TextChoices):
    UNRESOLVED = "unresolved", "Unresolved"
    RESOLVED = "resolved", "Resolved"
    IGNORED = "ignored", "Ignored"


class ErrorIgnoreCondition(models.TextChoices):
    FOREVER = "forever", "Forever"
    UNTIL_DATE = "until_date", "Until a date"
    UNTIL_RATE = "until_rate", "Until more than N per hour"


class ErrorGroupAction(models.TextChoices):
    RESOLVE = "resolve", "Resolved"
    IGNORE = "ignore", "Ignored"
    REOPEN = "reopen", "Reopened"
    REGRESSION = "regression", "Regressed"
    UNIGNORE = "unignore", "Ignore condition met"
    MERGE = "merge", "Merged"
    UNMERGE = "unmerge", "Unmerged"


def _choices_check(field: str, choices) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [c.value for c in choices]}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


class ErrorGroup(models.Model):
    """Every occurrence with the same fingerprint, counted, with its resolution state."""

    fingerprint = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=255)
    culprit = models.CharField(max_length=255, blank=True)
    error_type = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=10, choices=ErrorSeverity.choices)
    category = models.CharField(max_length=20, choices=ErrorCategory.choices)
    external_service = models.CharField(max_length=64, null=True, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    times_seen = models.BigIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=ErrorGroupStatus.choices, default=ErrorGroupStatus.UNRESOLVED
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    regressed_at = models.DateTimeField(null=True, blank=True)
    ignore_condition = models.CharField(
        max_length=12, choices=ErrorIgnoreCondition.choices, blank=True
    )
    ignore_until = models.DateTimeField(null=True, blank=True)
    ignore_threshold = models.PositiveIntegerField(null=True, blank=True)
    # Alerting state: what is waiting to be announced, and when staff were last told.
    alert_pending = models.CharField(max_length=12, blank=True)
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    # Environments ignored for this group: their events are counted but never reopen the
    # group or alert (errors/services/record.py).
    ignored_environments = ArrayField(
        models.CharField(max_length=64), default=list, blank=True, db_default=[]
    )

    class Meta:
        ordering = ["-last_seen"]
        indexes = [
            models.Index(fields=["status", "-last_seen"], name="errors_group_status_seen"),
            models.Index(fields=["-last_seen"], name="errors_group_last_seen"),
            models.Index(fields=["-times_seen"], name="errors_group_times_seen"),
            models.Index(fields=["-first_seen"], name="errors_group_first_seen"),
            models.Index(fields=["severity", "-last_seen"], name="errors_group_severity"),
            models.Index(fields=["category", "-last_seen"], name="errors_group_category"),
            models.Index(fields=["external_service", "-last_seen"], name="errors_group_service"),
            models.Index(
                fields=["regressed_at"],
                name="errors_group_regressed",
                condition=Q(regressed_at__isnull=False),
            ),
            models.Index(
                fields=["id"], name="errors_group_alert_pending", condition=~Q(alert_pending="")
            ),
        ]
        constraints = [
            _choices_check("severity", ErrorSeverity),
            _choices_check("category", ErrorCategory),
            _choices_check("status", ErrorGroupStatus),
            models.CheckConstraint(
                condition=Q(ignore_condition="")
                | Q(ignore_condition__in=[c.value for c in ErrorIgnoreCondition]),
                name="%(app_label)s_%(class)s_ignore_condition_valid",
            ),
            models.CheckConstraint(
                condition=Q(alert_pending__in=["", "new", "regression", "reopened"]),
                name="%(app_label)s_%(class)s_alert_pending_valid",
            ),
            models.CheckConstraint(
                condition=Q(times_seen__gte=0), name="%(app_label)s_%(class)s_times_seen_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ErrorOccurrence(models.Model):
    """One error, as it happened: where, to whom, with its scrubbed context and stack."""

    group = models.ForeignKey(ErrorGroup, on_delete=models.CASCADE, related_name="occurrences")
    occurred_at = models.DateTimeField()
    request_id = models.CharField(max_length=128, blank=True)
    route = models.CharField(max_length=255, blank=True)
    method = models.CharField(max_length=10, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=ErrorSeverity.choices)
    category = models.CharField(max_length=20, choices=ErrorCategory.choices)
    external_service = models.CharField(max_length=64, null=True, blank=True)
    error_type = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    stack_trace = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fingerprint = models.CharField(max_length=64)
    # Reported through the ingest endpoints (errors/ingest/): which project, from which
    # environment and release. Forge's own errors have no project.
    project = models.ForeignKey(
        "ErrorProject",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    environment = models.CharField(max_length=64, blank=True, db_default="", default="")
    release = models.CharField(max_length=200, blank=True, db_default="", default="")
    # Identical events folded into this row (floods of auth failures and 429s, within
    # the same hour): the row stands for 1 + repeats events in every count.
    repeats = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Further identical events in the same hour counted into this one.",
    )

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["group", "-occurred_at"], name="errors_occ_group_time"),
            models.Index(fields=["occurred_at"], name="errors_occ_time"),
            models.Index(fields=["request_id"], name="errors_occ_request_id"),
            models.Index(
                fields=["project", "group"],
                name="errors_occ_project_group",
                condition=Q(project__isnull=False),
            ),
            models.Index(
                fields=["environment", "group"],
                name="errors_occ_env_group",
                condition=~Q(environment=""),
            ),
            models.Index(
                fields=["release", "group"],
                name="errors_occ_release_group",
                condition=~Q(release=""),
            ),
        ]
        constraints = [
            _choices_check("severity", ErrorSeverity),
            _choices_check("category", ErrorCategory),
        ]

    def __str__(self) -> str:
        return f"{self.error_type or self.category} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


def occurrence_events() -> Sum:
    """Count the events a set of occurrence rows stands for (each row is 1 + its repeats)."""
    return Sum(F("repeats") + 1)


class ErrorGroupActivity(models.Model):
    """One change of a group's status: who, when, from what to what, and why."""

    group = models.ForeignKey(ErrorGroup, on_delete=models.CASCADE, related_name="activity")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when Forge changed the status by itself.",
    )
    action = models.CharField(max_length=12, choices=ErrorGroupAction.choices)
    from_status = models.CharField(max_length=12, choices=ErrorGroupStatus.choices)
    to_status = models.CharField(max_length=12, choices=ErrorGroupStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "error group activity"
        indexes = [
            models.Index(fields=["group", "-created_at"], name="errors_activity_group"),
            models.Index(fields=["-created_at"], name="errors_activity_time"),
        ]
        constraints = [
            _choices_check("action", ErrorGroupAction),
            _choices_check("from_status", ErrorGroupStatus),
            _choices_check("to_status", ErrorGroupStatus),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class ErrorAggregation(models.Model):
    """Occurrences per hour × route × severity × category × external service."""

    hour = models.DateTimeField()
    route = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=10, choices=ErrorSeverity.choices)
    category = models.CharField(max_length=20, choices=ErrorCategory.choices)
    # '' rather than NULL so the unique key treats "no service" as one value.
    external_service = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField()
    users = models.PositiveIntegerField(help_text="Distinct signed-in users affected.")

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "route", "severity", "category", "external_service"],
                name="errors_aggregation_key",
            ),
            _choices_check("severity", ErrorSeverity),
            _choices_check("category", ErrorCategory),
        ]
        indexes = [models.Index(fields=["severity", "hour"], name="errors_agg_severity_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 {self.route} {self.severity}: {self.count}"


class ErrorGroupHourly(models.Model):
    """Occurrences of one group in one hour: the sparklines' data."""

    group = models.ForeignKey(ErrorGroup, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["group", "hour"], name="errors_group_hourly_key")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.hour:%Y-%m-%d %H}:00: {self.count}"


class ErrorAggregationState(models.Model):
    """The single row saying up to which hour the roll-ups are final."""

    key = models.CharField(max_length=20, unique=True, default="hourly")
    aggregated_until = models.DateTimeField(
        help_text="Start of the last hour rolled up; the next run redoes it and later hours."
    )
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: until {self.aggregated_until:%Y-%m-%d %H}:00"


class ErrorFingerprintAlias(models.Model):
    """A fingerprint that records into another group than its own: what a merge leaves."""

    fingerprint = models.CharField(max_length=64, unique=True)
    group = models.ForeignKey(ErrorGroup, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField()
    # The merged group's own title and culprit, given back to it by an unmerge.
    title = models.CharField(max_length=255)
    culprit = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.fingerprint[:12]} → {self.group_id}"


class ErrorProjectPlatform(models.TextChoices):
    PYTHON = "python", "Python"
    JAVASCRIPT = "javascript", "JavaScript (browser)"
    NODE = "node", "Node.js"
    GO = "go", "Go"
    CSHARP = "csharp", "C# / .NET"
    JAVA = "java", "Java"
    NATIVE = "native", "Native (C, C++)"
    OTHER = "other", "Other"


class ErrorProject(models.Model):
    """A service that reports its errors to Forge with a Sentry SDK, through its DSN keys."""

    name = models.CharField(max_length=100, unique=True)
    platform = models.CharField(max_length=20, choices=ErrorProjectPlatform.choices)
    rate_limit_per_minute = models.PositiveIntegerField(
        default=600, help_text="Events accepted per minute; more get 429 with Retry-After."
    )
    retention_days = models.PositiveIntegerField(
        default=90, help_text="Occurrences older than this are deleted."
    )
    allowed_origins = models.TextField(
        blank=True,
        help_text="Browser origins allowed to report (one per line, e.g. https://game.example); "
        "* allows any. Empty: none besides Forge's own.",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [_choices_check("platform", ErrorProjectPlatform)]

    def __str__(self) -> str:
        return self.name


class ErrorProjectKey(models.Model):
    """One DSN key of a project: active until revoked; a rotation adds a new one."""

    project = models.ForeignKey(ErrorProject, on_delete=models.CASCADE, related_name="keys")
    public_key = models.CharField(max_length=32, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.public_key[:8]}… ({'active' if self.is_active else 'revoked'})"


class ErrorIngestEvent(models.Model):
    """A raw event as an SDK sent it, stored durably before a worker records it.

    The accepting web request writes one row (deduplicated on project and event ID);
    a worker claims unprocessed rows, records them and sets `processed_at` in the same
    transaction (errors/services/ingest.py).
    """

    project = models.ForeignKey(ErrorProject, on_delete=models.CASCADE, related_name="+")
    event_id = models.UUIDField()
    received_at = models.DateTimeField()
    payload = models.BinaryField(help_text="The event item's JSON, decompressed.")
    client_ip = models.CharField(max_length=45, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(
        max_length=500,
        blank=True,
        db_default="",
        help_text="Why the event could not be recorded (empty when it was).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "event_id"], name="errors_ingest_event_key")
        ]
        indexes = [
            models.Index(
                fields=["id"], name="errors_ingest_pending", condition=Q(processed_at__isnull=True)
            ),
            models.Index(fields=["received_at"], name="errors_ingest_received"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id.hex} ({'processed' if self.processed_at else 'pending'})"


class ErrorOverview(ErrorGroup):
    """The admin overview page's entry on the admin index (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "overview"
        verbose_name_plural = "overview"


class SloAlertState(models.Model):
    """When one SLO's burn-rate rule (fast or slow) last emailed staff: the alert cool-down."""

    slo = models.CharField(max_length=40)
    rule = models.CharField(max_length=10)
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    last_burn_rate = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slo", "rule"], name="slo_alert_state_key"),
        ]

    def __str__(self) -> str:
        return f"{self.slo} {self.rule}: {self.last_alerted_at or 'never'}"
