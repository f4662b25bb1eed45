from django.apps import AppConfig


class ErrorsConfig(AppConfig):
    name = "errors"
    verbose_name = "Errors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from errors.capture import capture_request_exception

        got_request_exception.connect(
            capture_request_exception, dispatch_uid="errors.capture_request_exception"
        )
