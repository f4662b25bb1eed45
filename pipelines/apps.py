from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pipelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A worker process starting (a cluster after a crash, or a replaced worker) runs the
        # reaper at once instead of waiting for the scheduler's minute.
        from django_q.signals import post_spawn

        from pipelines import health, observe  # noqa: F401  (health checks, metrics, traces)
        from pipelines.tasks import pipelines_reap_on_worker_start

        post_spawn.connect(pipelines_reap_on_worker_start, dispatch_uid="pipelines.reap_on_start")
