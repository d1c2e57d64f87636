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


def unmasked(html: bytes) -> bytes:
    import re

    return re.sub(rb"[A-Za-z0-9]{64}", b"TOKEN", html)


def test_another_accounts_page_looks_exactly_like_a_missing_one(outsider_client, account):
    forbidden = outsider_client.get(f"/a/{account.number}/inbox/")
    missing = outsider_client.get("/a/99999/inbox/")
    assert forbidden.status_code == missing.status_code == 404
    # Identical but for the per-response masking of the CSRF token and the URL itself.
    assert unmasked(forbidden.content).replace(b"/a/4000/", b"/a/N/") == unmasked(
        missing.content
    ).replace(b"/a/99999/", b"/a/N/")
    assert b"Page not found" in forbidden.content


def test_an_unknown_api_path_answers_json(client, db):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
