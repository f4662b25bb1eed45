"""Errors the export converters raise, on the project's closed list of codes."""

from forge.exceptions import ApplicationError, ServiceUnavailableError, ValidationFailedError


class ExportInputError(ValidationFailedError):
    """The input cannot be exported as asked (not a GLB, an unknown level, mismatched variants)."""

    default_message = "This asset cannot be exported as asked."


class ExportToolMissingError(ServiceUnavailableError):
    """A converter's external tool (Blender, Node.js, gltfpack) is not installed here."""

    default_message = "The tool this export format needs is not installed."

    def __init__(self, message: str | None = None, **kwargs):
        kwargs.setdefault("retryable", False)
        super().__init__(message, **kwargs)


class ExportToolError(ApplicationError):
    """A converter's external tool ran but failed or timed out."""

    default_message = "The export tool failed."
