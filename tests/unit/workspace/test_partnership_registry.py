"""The workspace and the partnership registry: with RR_PARTNERSHIP_REGISTRY_REQUIRED it refuses to
start without one, and it refuses a mapping file naming a partnership or agency the registry (and
so every service) does not know, naming the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapidreview.kernel.config import ConfigError
from rapidreview.workspace.bootstrap import Collaborators, build_app
from rapidreview.workspace.config import load_workspace_settings
from rapidreview.workspace.principals import MappingError

from tests.unit.workspace.conftest import write_settings_files


def _env(tmp_path: Path, registry: str | None) -> dict[str, str]:
    env = {**write_settings_files(tmp_path), "RR_PARTNERSHIP_REGISTRY_REQUIRED": "true"}
    if registry is not None:
        path = tmp_path / "partnerships.yaml"
        path.write_text(registry)
        env["RR_PARTNERSHIP_CONFIG_FILE"] = str(path)
    return env


def test_a_required_registry_that_is_not_configured_stops_the_workspace(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RR_PARTNERSHIP_CONFIG_FILE: required because RR_PARTNERSHIP_REGISTRY_REQUIRED"):
        load_workspace_settings(_env(tmp_path, None))


def test_a_mapping_entry_for_an_unknown_partnership_stops_the_workspace_naming_it(tmp_path: Path) -> None:
    settings = load_workspace_settings(_env(tmp_path, "partnerships:\n  bradford: {}\n"))
    with pytest.raises(MappingError, match=r"groups\.leeds-business-unit: partnership 'leeds' is not in the partnership registry"):
        build_app(settings, Collaborators())


def test_a_mapping_entry_for_an_agency_the_partnership_does_not_list_stops_the_workspace_naming_it(tmp_path: Path) -> None:
    settings = load_workspace_settings(_env(tmp_path, "partnerships:\n  leeds:\n    agencies: [leeds-city-council]\n"))
    with pytest.raises(MappingError, match=r"groups\.leeds-police: agency 'west-yorkshire-police' is not one of partnership 'leeds'"):
        build_app(settings, Collaborators())


def test_a_mapping_file_within_the_registry_starts(tmp_path: Path) -> None:
    settings = load_workspace_settings(_env(tmp_path, "partnerships:\n  leeds:\n    agencies: [west-yorkshire-police]\n"))
    app = build_app(settings, Collaborators())
    assert app.state.principals.groups["leeds-police"].agency == "west-yorkshire-police"


def test_the_shipped_deployments_map_only_partnerships_and_agencies_of_their_registries() -> None:
    from rapidreview.kernel.partnerships import PartnershipRegistry
    from rapidreview.workspace.principals import PrincipalMap

    root = Path(__file__).resolve().parents[3] / "deploy"
    pairs = [(root / "demo" / "principals.yaml", root / "partnerships.yaml"),
             (root / "k8s" / "base" / "workspace" / "principals.yaml", root / "k8s" / "base" / "partnerships.yaml"),
             (root / "k8s" / "overlays" / "production" / "principals.yaml", root / "k8s" / "overlays" / "production" / "partnerships.yaml")]
    for principals, registry in pairs:
        loaded = PartnershipRegistry.load(registry)
        assert not loaded.open
        PrincipalMap.load(principals).check_registry(loaded)  # raises naming the entry otherwise


def test_compose_requires_and_mounts_the_registry_in_every_service_and_the_workspace() -> None:
    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[3] / "deploy" / "compose.yaml").read_text())
    for name in ("intake", "gathering", "criteria", "decisions", "workspace"):
        service = compose["services"][name]
        env = service["environment"]
        assert env["RR_PARTNERSHIP_REGISTRY_REQUIRED"] == "true", name
        path = env["RR_PARTNERSHIP_CONFIG_FILE"]
        assert any(v.endswith(f":{path}:ro") and "partnerships.yaml" in v for v in service["volumes"]), name


def test_kubernetes_requires_and_mounts_the_registry_in_every_service_and_the_workspace() -> None:
    import yaml

    base = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "base"
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    generators = {g["name"]: g for g in kustomization["configMapGenerator"]}
    shared = dict(item.split("=", 1) for item in generators["rapidreview-config"]["literals"])
    assert shared["RR_PARTNERSHIP_REGISTRY_REQUIRED"] == "true"
    assert generators["partnership-registry"]["files"] == ["partnerships.yaml"]
    folder, _, filename = shared["RR_PARTNERSHIP_CONFIG_FILE"].rpartition("/")
    assert filename == "partnerships.yaml"
    files = [base / "services" / f"{s}.yaml" for s in ("intake", "gathering", "criteria", "decisions")]
    for path in [*files, base / "workspace" / "workspace.yaml"]:
        deployment = next(d for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] == "Deployment")
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        container = pod["containers"][0]
        assert {"configMapRef": {"name": "rapidreview-config"}} in container["envFrom"], path.name
        mounted = [m for m in container["volumeMounts"] if m["mountPath"] == folder]
        assert mounted and volumes[mounted[0]["name"]]["configMap"]["name"] == "partnership-registry", path.name
