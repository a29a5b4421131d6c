"""The shipped objection type loads, with the bezwaar workflow, and is not in the catalogue."""

from loket.catalogue.services import get_type, load_shipped, types_in_force


def test_the_objection_type_is_shipped_and_not_offered_to_apply(dbsession, testapp):
    load_shipped(dbsession)
    objection = get_type(dbsession, "bezwaar")
    assert objection.current().workflow == "bezwaar"
    assert "bezwaar" not in {t.code for t, _v in types_in_force(dbsession)}
    assert "inname-openbaar-domein" in {t.code for t, _v in types_in_force(dbsession)}
    page = testapp.get("/catalogus")
    assert "/catalogus/bezwaar" not in page.text
