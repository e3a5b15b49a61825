"""Example data (fictional): Child K from the worked example."""

from __future__ import annotations

from rapidreview.v1 import common_pb2, intake_pb2


def example_notification(**overrides) -> intake_pb2.Notification:
    """Child K from the worked example (fictional)."""
    n = intake_pb2.Notification(
        notifying_la="Leeds",
        incident_la="Leeds",
        incident_country=common_pb2.COUNTRY_ENGLAND,
        home_la="Leeds",
        child=intake_pb2.ChildDetails(child_ref="Child K", age_years=0),
        nature=common_pb2.NATURE_SERIOUS_HARM,
        harm_description="Skull fracture and rib fractures of different ages found at hospital.",
        harm_domains=[common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH],
        recovered=True,
        abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_SUSPECTED,
        setting=common_pb2.SETTING_FAMILY_HOME,
        incident_date="2024-06-03",
        la_aware_date="2024-06-04",
        agencies=[
            common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police", kind=common_pb2.AGENCY_KIND_POLICE,
                              area="West Yorkshire", area_type=common_pb2.AREA_TYPE_POLICE_AREA),
            common_pb2.Agency(agency_id="gp-practice", name="GP practice", kind=common_pb2.AGENCY_KIND_HEALTH_GP,
                              area="West Yorkshire ICB", area_type=common_pb2.AREA_TYPE_HEALTH_BOARD),
        ],
    )
    for key, value in overrides.items():
        setattr(n, key, value)
    return n
