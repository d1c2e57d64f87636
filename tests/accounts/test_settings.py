"""Settings (seed 000 "Settings"): change your own password, the old one required."""

PASSWORD = "correct horse 42"
NEW = "a brand new secret 9"


def change(client, old=PASSWORD, new1=NEW, new2=NEW, **extra):
    return client.post(
        "/a/4000/settings/",
        {"old_password": old, "new_password1": new1, "new_password2": new2},
        **extra,
    )


def test_a_client_changes_their_password(member_client, member):
    response = change(member_client)
    assert response["Location"] == "/a/4000/settings/"
    member.refresh_from_db()
    assert member.check_password(NEW)
    page = member_client.get("/a/4000/settings/").content.decode()
    assert "Your password has been changed." in page
    # Still signed in after the change.
    assert member_client.get("/a/4000/").status_code == 200


def test_the_current_password_is_required(member_client, member):
    response = change(member_client, old="not it")
    assert response.status_code == 200
    assert "Your current password is not correct" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_new_password_must_be_typed_twice_the_same(member_client, member):
    response = change(member_client, new2="something else 9")
    assert "The two new passwords differ" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_weak_password_is_refused_with_the_reason(member_client, member):
    response = change(member_client, new1="123", new2="123")
    page = response.content.decode()
    assert "too short" in page
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_messages_are_in_french_for_a_french_user(member_client, member):
    member.language = "fr"
    member.save()
    page = change(member_client, old="pas ça").content.decode()
    assert "Votre mot de passe actuel n&#x27;est pas correct" in page
    assert "Mot de passe actuel" in page


def test_the_change_is_in_the_audit_log(member_client, member):
    from portal.accounts.models import AuditLog

    change(member_client)
    entry = AuditLog.objects.get(action="password.change")
    assert entry.user == member and entry.account.number == "4000"
