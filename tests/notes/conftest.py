from tests.staff.conftest import (  # noqa: F401
    applicant,
    dutch,
    handler,
    heating_type,
    submitted,
    team,
)
