"""What the workspace needs to run from the container image and behind the Kubernetes Ingress:
its files packaged, the compose demo's provider users and mapping file, a client certificate
for services that require mutual TLS, the trusted proxies, and `rapidreview migrate workspace`."""

from __future__ import annotations

import datetime as dt
import fnmatch
import ipaddress
import json
import tomllib
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from typer.testing import CliRunner

from rapidreview.kernel.config import ConfigError
from rapidreview.workspace import demo
from rapidreview.workspace.client import ServiceClients
from rapidreview.workspace.config import load_workspace_settings
from rapidreview.workspace.principals import PrincipalMap

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "rapidreview"
BASE = {"RR_WORKSPACE_OIDC_ISSUER": "https://login.example", "RR_WORKSPACE_OIDC_CLIENT_ID": "rr",
        "RR_WORKSPACE_PRINCIPALS_FILE": "p.yaml", "RR_WORKSPACE_SIGNING_KEY_FILE": "k.pem"}


def test_every_template_and_static_file_goes_into_the_installed_package() -> None:
    # The image installs the project as a wheel (not editable): a file no package-data pattern
    # names is missing there, e.g. the workspace's JavaScript.
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    needed = [p for folder in ("workspace/templates", "workspace/static") for p in (PACKAGE / folder).rglob("*") if p.is_file()]
    assert any(p.suffix == ".js" for p in needed) and any(p.suffix == ".html" for p in needed)
    missing = [str(p.relative_to(PACKAGE)) for p in needed if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert missing == []


def test_the_compose_demo_signs_in_the_embedded_stacks_demo_users_with_their_roles() -> None:
    users = json.loads((ROOT / "deploy" / "demo" / "users.json").read_text())
    assert users == [{"sub": u.subject, "groups": list(u.groups)} for u in demo.USERS], \
        "deploy/demo/users.json differs from rapidreview.workspace.demo.USERS"
    mapping = PrincipalMap.load(ROOT / "deploy" / "demo" / "principals.yaml")
    for user in demo.USERS:
        expected = [demo.GROUPS[g] for g in user.groups]
        found = mapping.resolve({"sub": user.subject, "groups": list(user.groups)})
        if not expected:
            assert not hasattr(found, "role"), user.subject
            continue
        assert (found.role.value, found.partnership, found.agency) == (
            expected[0]["role"], expected[0]["partnership"], expected[0].get("agency", "")), user.subject


def test_the_kubernetes_mapping_files_load_and_the_base_maps_nobody() -> None:
    base = PrincipalMap.load(ROOT / "deploy" / "k8s" / "base" / "workspace" / "principals.yaml")
    assert not hasattr(base.resolve({"sub": "someone", "groups": ["rapidreview-leeds-business-unit"]}), "role")
    production = PrincipalMap.load(ROOT / "deploy" / "k8s" / "overlays" / "production" / "principals.yaml")
    found = production.resolve({"sub": "someone", "groups": ["rapidreview-leeds-business-unit"]})
    assert (found.role.value, found.partnership) == ("business_unit", "leeds")


def test_settings_take_a_client_certificate_only_with_its_key_and_a_ca() -> None:
    settings = load_workspace_settings({**BASE, "RR_WORKSPACE_GRPC_TLS_CA_FILE": "ca.crt",
                                        "RR_WORKSPACE_GRPC_TLS_CERT_FILE": "tls.crt", "RR_WORKSPACE_GRPC_TLS_KEY_FILE": "tls.key"})
    assert (settings.grpc_tls_cert_file, settings.grpc_tls_key_file) == (Path("tls.crt"), Path("tls.key"))
    with pytest.raises(ConfigError, match="set both or neither"):
        load_workspace_settings({**BASE, "RR_WORKSPACE_GRPC_TLS_CA_FILE": "ca.crt", "RR_WORKSPACE_GRPC_TLS_CERT_FILE": "tls.crt"})
    with pytest.raises(ConfigError, match="RR_WORKSPACE_GRPC_TLS_CA_FILE"):
        load_workspace_settings({**BASE, "RR_WORKSPACE_GRPC_TLS_CERT_FILE": "tls.crt", "RR_WORKSPACE_GRPC_TLS_KEY_FILE": "tls.key"})


def test_trusted_proxies_are_addresses_or_networks_and_default_to_loopback() -> None:
    assert load_workspace_settings(BASE).trusted_proxies == "127.0.0.1,::1"
    settings = load_workspace_settings({**BASE, "RR_WORKSPACE_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 "})
    assert settings.trusted_proxies == "10.0.0.0/8,192.168.1.7"
    with pytest.raises(ConfigError, match="RR_WORKSPACE_TRUSTED_PROXIES"):
        load_workspace_settings({**BASE, "RR_WORKSPACE_TRUSTED_PROXIES": "ingress-nginx"})


def test_the_web_server_believes_forwarded_headers_from_the_trusted_proxies_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from rapidreview.workspace import bootstrap

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(bootstrap, "build_app", lambda settings: object())
    for name, value in {**BASE, "RR_WORKSPACE_TRUSTED_PROXIES": "10.42.0.0/16"}.items():
        monkeypatch.setenv(name, value)
    bootstrap.run()
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.42.0.0/16"


# -- mutual TLS to the services ----------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, issuer_key: ec.EllipticCurvePrivateKey,
          *, ca: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, name: str, obj: x509.Certificate | ec.EllipticCurvePrivateKey) -> Path:
    if isinstance(obj, x509.Certificate):
        data = obj.public_bytes(serialization.Encoding.PEM)
    else:
        data = obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (folder / name).write_bytes(data)
    return folder / name


async def test_services_that_require_a_client_certificate_answer_the_workspace_that_has_one(tmp_path: Path) -> None:
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _cert("test CA", ca_key, _name("test CA"), ca_key, ca=True)
    ca_file = _write(tmp_path, "ca.crt", ca)
    server_credentials = grpc.ssl_server_credentials(
        [(_write(tmp_path, "s.key", server_key).read_bytes(), _write(tmp_path, "s.crt", _cert("intake", server_key, ca.subject, ca_key)).read_bytes())],
        root_certificates=ca_file.read_bytes(), require_client_auth=True)
    server = grpc.aio.server()
    health_servicer = health.aio.HealthServicer()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_secure_port("127.0.0.1:0", server_credentials)
    await server.start()
    cert = _write(tmp_path, "c.crt", _cert("workspace", client_key, ca.subject, ca_key))
    key = _write(tmp_path, "c.key", client_key)
    with_certificate = ServiceClients({"intake": f"127.0.0.1:{port}"}, tokens=None, tls_ca_file=ca_file,  # type: ignore[arg-type]
                                      tls_cert_file=cert, tls_key_file=key)
    without = ServiceClients({"intake": f"127.0.0.1:{port}"}, tokens=None, tls_ca_file=ca_file)  # type: ignore[arg-type]
    try:
        assert await with_certificate.health(timeout=5) == {"intake": "SERVING"}
        assert await without.health(timeout=5) == {"intake": "UNREACHABLE"}
    finally:
        await with_certificate.close()
        await without.close()
        await server.stop(None)


# -- migrations ---------------------------------------------------------------------------------


def test_migrate_workspace_applies_the_read_models_migrations_from_the_database_url_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidreview.cli.main import app
    from rapidreview.kernel import migrations

    applied = []
    monkeypatch.setattr(migrations, "upgrade", lambda package, url: applied.append((package, url)))
    url_file = tmp_path / "database-url"
    url_file.write_text("postgresql+asyncpg://rr_workspace:pw@postgres:5432/rapidreview\n")
    monkeypatch.delenv("RR_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["migrate", "workspace"], env={"RR_DATABASE_URL_FILE": str(url_file)})
    assert result.exit_code == 0, result.output
    assert applied == [("workspace.readmodel", "postgresql+asyncpg://rr_workspace:pw@postgres:5432/rapidreview")]
    monkeypatch.delenv("RR_DATABASE_URL_FILE", raising=False)
    result = CliRunner().invoke(app, ["migrate", "workspace"], env={})
    assert result.exit_code != 0 and "RR_DATABASE_URL" in result.output
