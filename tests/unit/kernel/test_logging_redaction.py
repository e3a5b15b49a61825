"""The logging processor keeps personal data out of log output."""

import io
import json

from rapidreview.kernel.logging import REDACTED, bind_context, configure_logging, get_logger


def _capture():
    out = io.StringIO()
    configure_logging("test", "DEBUG", stream=out)
    return out


def test_sensitive_keys_and_long_text_are_redacted_and_ids_kept():
    out = _capture()
    with bind_context(request_id="r-1", case_id="c-1", event_id="e-1"):
        get_logger().info("probe", child_name="Kayden Smith", date_of_birth="2023-11-02", harm_description="short",
                          home_address="1 Canary Street", note="x" * 500, count=3)
    line = json.loads(out.getvalue().strip().splitlines()[-1])
    assert line["child_name"] == REDACTED and line["date_of_birth"] == REDACTED
    assert line["harm_description"] == REDACTED and line["home_address"] == REDACTED and line["note"] == REDACTED
    assert line["request_id"] == "r-1" and line["case_id"] == "c-1" and line["event_id"] == "e-1" and line["count"] == 3
    assert "Kayden" not in out.getvalue() and "Canary" not in out.getvalue()


def test_exception_messages_are_not_logged_only_their_type_and_frames():
    out = _capture()
    try:
        raise ValueError("Child CANARY-7731 lives at 9 Secret Road")
    except ValueError as exc:
        get_logger().error("failed", exc_info=exc)
    text = out.getvalue()
    assert "CANARY-7731" not in text and "Secret Road" not in text
    assert json.loads(text.strip().splitlines()[-1])["exc_type"] == "ValueError"
