"""The commands `make run` uses to set up a fresh database."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_it_creates_an_administrator_with_a_generated_password_once(roles, capsys, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("ADMIN_USERNAME", "zoneadmin")
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="zoneadmin")
    assert user.is_superuser and user.check_password(password)
    assert user.groups.filter(name="Zone administrator").exists()

    call_command("ensure_admin")
    assert "nothing changed" in capsys.readouterr().out
    assert get_user_model().objects.count() == 1


def test_it_uses_the_password_from_the_environment(roles, monkeypatch, capsys):
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-chosen-password")
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    call_command("ensure_admin")
    assert "a-long-chosen-password" not in capsys.readouterr().out
    assert get_user_model().objects.get(username="admin").check_password("a-long-chosen-password")
