"""Delivery configuration refuses what would leak credentials or personal data,
and names the key that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rapidreview.delivery import DeliveryConfig, DeliveryConfigError, Summary, SummaryMailer, short_id


def _config(tmp_path: Path, **changes) -> dict:
    (tmp_path / "pw").write_text("secret\n")
    data = {
        "smtp": {"host": "smtp.example.org", "port": 587, "user": "rr", "password_file": "pw", "starttls": True,
                 "from": "Rapid Review <rr@example.org>"},
        "partnerships": {"leeds": {"recipients": ["rag@leeds.example"], "delivery": "attach"}},
    }
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def test_a_complete_file_loads_with_the_password_read_from_its_file(tmp_path: Path):
    path = tmp_path / "delivery.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path)))
    config = DeliveryConfig.from_env({"RR_DELIVERY_CONFIG_FILE": str(path)})
    assert config is not None and config.smtp.password == "secret" and "secret" not in repr(config.smtp)
    assert config.partnerships["leeds"].recipients == ("rag@leeds.example",)
    assert DeliveryConfig.from_env({}) is None  # delivery off when the variable is not set


@pytest.mark.parametrize(("changes", "key"), [
    ({"smtp.starttls": False}, "smtp.starttls"),
    ({"smtp.password": "inline"}, "smtp.password"),
    ({"smtp.password_file": None}, "smtp.user / smtp.password_file"),
    ({"smtp.from": "not an address"}, "smtp.from"),
    ({"partnerships.leeds.recipients": ["rag@leeds.example\r\nBcc: someone@else.example"]}, "partnerships.leeds.recipients[0]"),
    ({"partnerships.leeds.delivery": "link"}, "partnerships.leeds.link_template"),
    ({"partnerships.leeds.delivery": "link", "partnerships.leeds.link_template": "https://x.example/{child_ref}"}, "partnerships.leeds.link_template"),
    ({"formats": ["docx"]}, "formats"),
])
def test_unsafe_or_malformed_settings_are_refused_naming_the_key(tmp_path: Path, changes: dict, key: str):
    with pytest.raises(DeliveryConfigError) as caught:
        DeliveryConfig.from_dict(_config(tmp_path, **changes), base=tmp_path)
    assert str(caught.value).startswith(key)


def test_subject_names_the_case_by_its_short_id_only(tmp_path: Path):
    config = DeliveryConfig.from_dict(_config(tmp_path), base=tmp_path)
    case_id = "3f2a1b9c-0000-4000-8000-000000000001"
    message = SummaryMailer(config).compose(Summary("leeds", case_id, "e-1", 3, b"%PDF-1.7 Child K"), config.partnerships["leeds"])
    assert message["Subject"] == "Rapid Review: criteria checklist summary ready for case 3f2a1b9c" == \
        f"Rapid Review: criteria checklist summary ready for case {short_id(case_id)}"
    assert "Child K" not in message.get_body(("plain",)).get_content()
    assert "does not make a review automatic" in message.get_body(("plain",)).get_content()


def test_worst_case_delivery_time_bounds_the_consumer_ack_wait(tmp_path: Path):
    from rapidreview.delivery import delivery_consumer_spec

    config = DeliveryConfig.from_dict(_config(tmp_path, retry={"attempts": 3, "backoff_seconds": [1, 4]}), base=tmp_path)
    spec = delivery_consumer_spec(lambda *a: None, config)  # type: ignore[arg-type,return-value]
    assert spec.ack_wait > config.worst_case_seconds() >= 3 * config.smtp.timeout + 5
    assert list(spec.routes) == ["summary.ready"]
