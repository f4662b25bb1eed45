from django.apps import AppConfig


class ErrorsConfig(AppConfig):
    name = "errors"
    default_auto_field = "django.db.models.BigAutoField"
