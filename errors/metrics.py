"""The errors app's Prometheus series."""

from prometheus_client import Counter

error_occurrences = Counter(
    "forge_error_occurrences",
    "Errors recorded (before grouping and folding of repeats), by severity.",
    ["severity"],
)
