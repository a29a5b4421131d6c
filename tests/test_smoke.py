def test_home_page_is_dutch(testapp):
    response = testapp.get("/")
    assert response.status_int == 200
    assert '<html lang="nl">' in response.text


def test_citizen_sees_own_dossier(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    factories.document(dossier)
    login(citizen)
    page = testapp.get("/mijn-dossiers")
    assert dossier.reference in page.text
    page = testapp.get(f"/dossiers/{dossier.reference}")
    assert "Bewijs van betaling" in page.text
