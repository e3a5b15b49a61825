"""Configuration errors name the variable at fault."""

import pytest

from rapidreview.kernel.config import ConfigError, load_settings

BASE = {"RR_DATABASE_URL": "postgresql+asyncpg://u@h:5432/db", "RR_NATS_URL": "nats://127.0.0.1:4222"}


def test_defaults_give_each_service_its_own_port():
    assert load_settings("intake", BASE).grpc_listen.endswith(":50051")
    assert load_settings("decisions", BASE).grpc_listen.endswith(":50054")


@pytest.mark.parametrize(
    ("var", "value"),
    [("RR_DATABASE_URL", "mysql://x"), ("RR_NATS_URL", "http://x"), ("RR_GRPC_LISTEN", "nope"),
     ("RR_CONSUMER_MAX_DELIVER", "0"), ("RR_MIGRATE_ON_START", "perhaps"), ("RR_TODAY", "2024-02-30"),
     ("RR_EVENT_LOOP", "trio")],
)
def test_malformed_value_names_the_variable(var, value):
    with pytest.raises(ConfigError, match=var):
        load_settings("intake", {**BASE, var: value})


def test_missing_required_variable_is_named():
    with pytest.raises(ConfigError, match="RR_NATS_URL"):
        load_settings("intake", {"RR_DATABASE_URL": BASE["RR_DATABASE_URL"]})


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "db-url"
    secret.write_text(BASE["RR_DATABASE_URL"] + "\n")
    env = {"RR_DATABASE_URL_FILE": str(secret), "RR_NATS_URL": BASE["RR_NATS_URL"]}
    assert load_settings("intake", env).database_url == BASE["RR_DATABASE_URL"]


def test_unreadable_secret_file_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="RR_DATABASE_URL_FILE"):
        load_settings("intake", {"RR_DATABASE_URL_FILE": str(tmp_path / "missing"), "RR_NATS_URL": BASE["RR_NATS_URL"]})


def test_the_removed_rr_clock_setting_stops_the_service_naming_the_rule_file():
    # RR.DEADLINE counts from its rule file's counts_from; a deployment still setting the
    # old variable would silently get another deadline than it asked for.
    import pytest

    from rapidreview.kernel.config import ConfigError, load_settings

    env = {"RR_DATABASE_URL": "postgresql+asyncpg://u@h/db", "RR_NATS_URL": "nats://127.0.0.1:4222",
           "RR_RR_CLOCK_FROM": "awareness"}
    with pytest.raises(ConfigError, match="RR_RR_CLOCK_FROM.*RR.DEADLINE.yaml"):
        load_settings("intake", env)
