def test_a_member_sees_the_home_page(member_client, account):
    response = member_client.get(f"/a/{account.number}/")
    assert response.status_code == 200
    assert b"4000" in response.content


def test_an_outsider_gets_404(outsider_client, account):
    assert outsider_client.get(f"/a/{account.number}/").status_code == 404


def test_signed_out_is_sent_to_sign_in(anon_client, account):
    response = anon_client.get(f"/a/{account.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_openapi_is_served(client, db):
    assert client.get("/api/v1/openapi.json").status_code == 200
