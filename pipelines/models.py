"""Runs of the pipeline engine and their stages: the durable state of every background job.

The model keeps its historical name `GenerationPipeline`; its `kind` says which recipe of
stages it runs (see `pipelines.kinds`).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def _choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class PipelineStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"


ACTIVE_STATUSES = (PipelineStatus.QUEUED, PipelineStatus.RUNNING)
FINISHED_STATUSES = (
    PipelineStatus.SUCCEEDED,
    PipelineStatus.FAILED,
    PipelineStatus.CANCELED,
    PipelineStatus.EXPIRED,
)


class PipelineKind(models.TextChoices):
    """Which recipe of stages a run follows (registered in `pipelines.kinds`)."""

    GENERATION = "generation"
    EXPORT = "export"
    CHARACTER = "character"


class PipelineQuality(models.TextChoices):
    DRAFT = "draft"
    STANDARD = "standard"
    HIGH = "high"


class StageName(models.TextChoices):
    """Every stage name any run kind uses; which names a kind runs, in which order, is its recipe."""

    PREPARE = "prepare"
    GENERATE_MESH = "generate_mesh", "Generate mesh"
    OPTIMIZE = "optimize"
    TEXTURE_VARIANTS = "texture_variants", "Texture variants"
    THUMBNAIL = "thumbnail"
    PUBLISH = "publish"
    # kind `export` (load, reduce, convert, package, publish)
    LOAD = "load"
    REDUCE = "reduce"
    CONVERT = "convert"
    PACKAGE = "package"
    BUILD_CHARACTER = "build_character", "Build character"


# A stage name is a lower-case identifier (checked by the database for every kind).
STAGE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class StageStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELED = "canceled"


DONE_STAGE_STATUSES = (StageStatus.SUCCEEDED, StageStatus.SKIPPED)


class GenerationPipeline(models.Model):
    Status = PipelineStatus
    Quality = PipelineQuality
    Kind = PipelineKind

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pipelines"
    )
    kind = models.CharField(
        max_length=20, choices=PipelineKind.choices, default=PipelineKind.GENERATION
    )
    config = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    current_stage = models.CharField(max_length=40, choices=StageName.choices, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    error_retryable = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    provider = models.CharField(max_length=50, blank=True)
    external_task_id = models.CharField(max_length=100, blank=True)
    attempt = models.PositiveIntegerField(default=0, help_text="Runs started so far.")
    max_attempts = models.PositiveIntegerField(
        default=3, help_text="Runs allowed before a retryable failure becomes final."
    )
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="A retry waiting for its backoff is not claimed before."
    )
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the run's job was last put on the task queue (the reaper re-enqueues "
        "a queued run whose job a dead worker took).",
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    trace_context = models.JSONField(
        default=dict,
        blank=True,
        help_text="The creating request's trace context (W3C traceparent) when tracing is on.",
    )
    event_seq = models.PositiveBigIntegerField(
        default=0, help_text="Grows by one with every published state change."
    )
    asset = models.OneToOneField(
        "assets.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pipeline",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A pipeline still queued at this time expires."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("status", PipelineStatus, "pipeline_status_valid"),
            _choices_check("kind", PipelineKind, "pipeline_kind_valid"),
            # Only the shape of a stage name: which names a kind may use is checked in code
            # (`pipelines.kinds`), so a new kind adds stage names without a constraint change.
            models.CheckConstraint(
                condition=models.Q(current_stage="")
                | models.Q(current_stage__regex=STAGE_NAME_PATTERN),
                name="pipeline_current_stage_shape",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="pipeline_progress_range",
            ),
            models.CheckConstraint(
                condition=models.Q(attempt__gte=0, max_attempts__gte=1),
                name="pipeline_attempts_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="pipeline_idempotency_key_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="pipeline_user_newest"),
            models.Index(fields=["status", "-created_at"], name="pipeline_status_newest"),
            models.Index(
                fields=["external_task_id"],
                condition=~models.Q(external_task_id=""),
                name="pipeline_external_task",
            ),
            models.Index(
                fields=["status", "lease_expires_at"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="pipeline_active",
            ),
            models.Index(
                fields=["finished_at"],
                condition=models.Q(status__in=FINISHED_STATUSES),
                name="pipeline_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.config.get('prompt', '')[:60]} ({self.status})"

    def clean(self) -> None:
        """Check that `current_stage` is a stage of this run's kind."""
        from pipelines.kinds import run_kind_stage_names

        if self.current_stage and self.current_stage not in run_kind_stage_names(self.kind):
            raise ValidationError(
                {"current_stage": f"{self.current_stage!r} is not a stage of kind {self.kind!r}."}
            )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def can_cancel(self) -> bool:
        return self.status in ACTIVE_STATUSES and self.cancel_requested_at is None

    @property
    def can_retry(self) -> bool:
        return self.status == PipelineStatus.FAILED


class PipelineStage(models.Model):
    Status = StageStatus
    Name = StageName

    id = models.BigAutoField(primary_key=True)
    pipeline = models.ForeignKey(
        GenerationPipeline, on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(max_length=40, choices=StageName.choices)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    attempts = models.PositiveIntegerField(default=0)
    external_task_id = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_per_pipeline"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_per_pipeline"),
            _choices_check("status", StageStatus, "stage_status_valid"),
            models.CheckConstraint(
                condition=models.Q(name__regex=STAGE_NAME_PATTERN), name="stage_name_shape"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="stage_progress_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["external_task_id"],
                condition=~models.Q(external_task_id=""),
                name="stage_external_task",
            ),
            models.Index(fields=["name", "finished_at"], name="stage_name_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class GenerationPreferences(models.Model):
    """What a user last chose on the generate form, and how often they picked each preset.

    Written by `pipeline_create` for every new generation run; the form takes its defaults
    from here (last style, quality and presets) and lists the most-used presets first.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="generation_preferences",
    )
    art_style = models.CharField(max_length=20, blank=True)
    quality = models.CharField(max_length=12, blank=True)
    presets = models.JSONField(default=list, blank=True, help_text="The last run's preset slugs.")
    preset_uses = models.JSONField(
        default=dict, blank=True, help_text="How many runs used each preset slug."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "generation preferences"

    def __str__(self) -> str:
        return f"Generation preferences of user {self.user_id}"

    def presets_by_use(self) -> list[str]:
        """Return the preset slugs used so far, most used first (ties: alphabetical)."""
        return sorted(self.preset_uses, key=lambda slug: (-int(self.preset_uses[slug]), slug))
