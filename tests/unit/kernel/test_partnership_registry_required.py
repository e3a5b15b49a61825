"""RR_PARTNERSHIP_REGISTRY_REQUIRED: a deployment that sets it never runs with an open registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapidreview.kernel import runtime
from rapidreview.kernel.config import ConfigError, load_settings
from rapidreview.kernel.partnerships import load_registry

BASE = {"RR_DATABASE_URL": "postgresql+asyncpg://u@h:5432/db", "RR_NATS_URL": "nats://127.0.0.1:4222"}
REGISTRY = "partnerships:\n  leeds:\n    agencies: [west-yorkshire-police]\n"


def test_the_setting_is_off_by_default_and_read_as_a_boolean() -> None:
    assert load_settings("intake", BASE).partnership_registry_required is False
    assert load_settings("intake", {**BASE, "RR_PARTNERSHIP_REGISTRY_REQUIRED": "true"}).partnership_registry_required is True
    with pytest.raises(ConfigError, match="RR_PARTNERSHIP_REGISTRY_REQUIRED"):
        load_settings("intake", {**BASE, "RR_PARTNERSHIP_REGISTRY_REQUIRED": "perhaps"})


def test_without_a_file_the_registry_is_open_unless_required() -> None:
    assert load_registry(None, required=False).open
    with pytest.raises(ConfigError, match="RR_PARTNERSHIP_CONFIG_FILE: required because RR_PARTNERSHIP_REGISTRY_REQUIRED"):
        load_registry(None, required=True)


def test_a_required_registry_knows_only_its_partnerships_and_agencies(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.yaml"
    path.write_text(REGISTRY)
    registry = load_registry(path, required=True)
    assert not registry.open
    assert registry.knows_agency("leeds", "west-yorkshire-police")
    assert not registry.knows_partnership("bradford")
    assert not registry.knows_agency("leeds", "another-agency")


def test_a_missing_registry_file_stops_the_service_even_when_not_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RR_PARTNERSHIP_CONFIG_FILE: cannot read"):
        load_registry(tmp_path / "absent.yaml", required=False)


def test_a_service_required_to_have_a_registry_refuses_to_start_without_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RR_PARTNERSHIP_CONFIG_FILE", raising=False)
    monkeypatch.delenv("RR_PARTNERSHIP_CONFIG_FILE_FILE", raising=False)
    for var, value in {**BASE, "RR_PARTNERSHIP_REGISTRY_REQUIRED": "true"}.items():
        monkeypatch.setenv(var, value)
    built: list[object] = []

    def build(settings):  # type: ignore[no-untyped-def]
        built.append(settings)
        raise AssertionError("nothing may be built without the registry")

    with pytest.raises(SystemExit) as stopped:
        runtime.main("intake", build, table=None)  # type: ignore[arg-type]
    assert "RR_PARTNERSHIP_CONFIG_FILE: required because RR_PARTNERSHIP_REGISTRY_REQUIRED is true" in str(stopped.value)
    assert built == []


def test_a_service_with_the_required_registry_goes_on_to_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "partnerships.yaml"
    path.write_text(REGISTRY)
    for var, value in {**BASE, "RR_PARTNERSHIP_REGISTRY_REQUIRED": "true", "RR_PARTNERSHIP_CONFIG_FILE": str(path)}.items():
        monkeypatch.setenv(var, value)

    class Built(Exception):
        pass

    def build(settings):  # type: ignore[no-untyped-def]
        assert runtime.partnership_registry(settings).knows_partnership("leeds")
        raise Built

    with pytest.raises(Built):
        runtime.main("intake", build, table=None)  # type: ignore[arg-type]
