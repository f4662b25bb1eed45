"""Create Forge's demo data: idempotent and deterministic, safe to run on every start."""

from importlib import import_module

from django.core.management.base import BaseCommand

from forge.seed import demo_users_ensure

# Apps that add demo data expose `seed.seed_demo(users, stdout)`; run in this order.
SEED_APPS = ["assets", "pipelines", "errors"]


class Command(BaseCommand):
    help = "Create the demo users (passwords from the environment or printed once) and demo data."

    def handle(self, *args, **options):
        users = demo_users_ensure()
        for username, password in users.passwords_created.items():
            self.stdout.write(
                self.style.WARNING(
                    f"Created user {username!r} with password {password!r} (shown once)."
                )
            )
        if not users.passwords_created:
            self.stdout.write("Demo users exist: admin (staff) and demo.")
        for app in SEED_APPS:
            try:
                module = import_module(f"{app}.seed")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.seed":
                    raise
                continue
            module.seed_demo(users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
