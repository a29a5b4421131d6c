"""The handler's heating-allowance dossier of tests/staff, reused for the pages' polish."""

from tests.staff.conftest import (  # noqa: F401 (fixtures)
    applicant,
    dutch,
    handler,
    heating_type,
    submitted,
    team,
)
