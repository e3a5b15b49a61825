"""Per-partnership gathering settings."""

from __future__ import annotations

import pytest

from rapidreview.gathering.partnerships import PartnershipPolicies
from rapidreview.kernel.config import ConfigError


def test_no_file_means_the_rule_files_working_days():
    # None: RR.AGENCIES' working_days in the rule files of the case's edition.
    assert PartnershipPolicies.load(None).for_partnership("leeds").return_working_days is None


def test_a_partnership_override_applies_only_to_that_partnership(tmp_path):
    path = tmp_path / "partnerships.yaml"
    path.write_text("defaults:\n  gathering:\n    return_working_days: 8\npartnerships:\n  leeds:\n    gathering:\n"
                    "      return_working_days: 12\n  bradford: {}\n")
    policies = PartnershipPolicies.load(path)
    assert policies.for_partnership("leeds").return_working_days == 12
    assert policies.for_partnership("bradford").return_working_days == 8
    assert policies.for_partnership("kirklees").return_working_days == 8


@pytest.mark.parametrize("value", ["0", "61", "ten", "true"])
def test_a_bad_number_of_days_is_a_config_error_naming_the_entry(value):
    with pytest.raises(ConfigError, match="partnerships.leeds.gathering.return_working_days"):
        PartnershipPolicies.from_mapping({"partnerships": {"leeds": {"gathering": {"return_working_days":
                                                                                    __import__("yaml").safe_load(value)}}}})
