from django.apps import AppConfig


class ForgeConfig(AppConfig):
    """The project kernel: accounts' API tokens, health, the envelope, the demo seed."""

    name = "forge"
    verbose_name = "Forge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from forge import connections, openapi  # noqa: F401  (registers a check, schema extensions)
        from forge.pgtimestamps import timestamps_connect

        timestamps_connect()

        if settings.FORGE_OTEL_ENDPOINT:
            from forge.tracing import tracing_configure

            tracing_configure()
