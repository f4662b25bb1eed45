import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_uses_passwords_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("FORGE_DEMO_ADMIN_PASSWORD", "admin-pass-from-env")
    monkeypatch.delenv("FORGE_DEMO_USER_PASSWORD", raising=False)
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("admin-pass-from-env")
    assert not User.objects.get(username="demo").is_staff
    assert "'demo' with password" in first and "admin-pass-from-env" not in first
    assert "with password" not in second
    assert User.objects.filter(username__in=["admin", "demo"]).count() == 2
