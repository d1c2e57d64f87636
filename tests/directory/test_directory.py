"""Directory and Information Pages: read only, searchable, with the note on how to change them."""

from django.urls import reverse

from portal.directory.models import InfoPage
from portal.directory.services import upsert_contact


def test_the_directory_lists_the_contacts_with_their_numbers(
    member_client, account, other_account, settings
):
    settings.PORTAL = {**settings.PORTAL, "SERVICE_EMAIL": "changes@answering.example"}
    upsert_contact(
        account,
        "luc",
        {
            "name": "Luc Lambert",
            "phones": ["514-111-1111", "514-222-2222", "514-333-3333"],
            "sms": "5144444444",
            "email": "luc@client.ca",
        },
    )
    upsert_contact(other_account, "x", {"name": "Not Mine"})
    html = member_client.get(reverse("directory", args=[account.number])).content.decode()
    for text in (
        "Tel (1)",
        "Tel (2)",
        "Tel (3)",
        "SMS",
        "e-mail",
        "Luc Lambert",
        "514-333-3333",
        "5144444444",
        "luc@client.ca",
    ):
        assert text in html
    assert "Not Mine" not in html
    assert "mailto:changes@answering.example" in html
    assert 'method="post" action="/a/' not in html  # read only: nothing to post


def test_the_directory_is_searchable(member_client, account):
    upsert_contact(account, "luc", {"name": "Luc Lambert", "phones": ["514-111-1111"]})
    upsert_contact(account, "ann", {"name": "Ann Roy", "email": "ann@client.ca"})
    url = reverse("directory", args=[account.number])
    html = member_client.get(url, {"q": "lambert"}).content.decode()
    assert "Luc Lambert" in html and "Ann Roy" not in html
    html = member_client.get(url, {"q": "ann@client"}).content.decode()
    assert "Ann Roy" in html and "Luc Lambert" not in html


def test_a_number_is_found_however_it_is_written(member_client, account):
    upsert_contact(account, "luc", {"name": "Luc Lambert", "phones": ["(514) 254-7110"]})
    upsert_contact(account, "ann", {"name": "Ann Roy", "phones": ["514 999-0000"]})
    url = reverse("directory", args=[account.number])
    for q in ("5142547110", "514.254.7110", "(514) 254-7110", "254-7110", "luc 2547110"):
        html = member_client.get(url, {"q": q}).content.decode()
        assert "Luc Lambert" in html and "Ann Roy" not in html, q
    html = member_client.get(url, {"q": "514"}).content.decode()
    assert "Luc Lambert" in html and "Ann Roy" in html


def test_information_pages_are_formatted_and_safe(member_client, account):
    InfoPage.objects.create(
        account=account,
        title="Instructions",
        body="<p><strong>Urgences</strong></p><script>alert(1)</script>",
    )
    html = member_client.get(reverse("info_pages", args=[account.number])).content.decode()
    assert "<strong>Urgences</strong>" in html and "alert(1)" not in html
    assert "service@" in html or "mailto:" in html


def test_the_pages_are_in_french(client, make_user, account):
    client.force_login(make_user("fr", account, language="fr"))
    assert "Tél (1)" in client.get(reverse("directory", args=[account.number])).content.decode()
    assert (
        "Informations générales du compte client"
        in client.get(reverse("info_pages", args=[account.number])).content.decode()
    )


def test_a_search_typed_without_accents_finds_the_accented_name(member_client, account):
    upsert_contact(account, "sac", {"name": "Service à la clientèle", "phones": ["514 111-2222"]})
    upsert_contact(account, "oeu", {"name": "Œuvres de l'Évêché"})
    upsert_contact(account, "ann", {"name": "Ann Roy"})
    url = reverse("directory", args=[account.number])
    sac, oeuvres = "Service à la clientèle", "Œuvres de l&#x27;Évêché"
    for q, shown in (
        ("service a la clientele", sac),
        ("SERVICE À LA CLIENTÈLE", sac),
        ("Clientele 5141112222", sac),
        ("oeuvres eveche", oeuvres),
    ):
        html = member_client.get(url, {"q": q}).content.decode()
        assert shown in html, q
        for other in {sac, oeuvres, "Ann Roy"} - {shown}:
            assert other not in html, q


def test_the_search_columns_follow_every_change(account):
    from portal.directory.models import Contact

    contact, _ = upsert_contact(account, "x", {"name": "Hélène", "phones": ["(514) 254-7110"]})
    assert (contact.search_text, contact.search_digits) == ("helene (514) 254-7110", "5142547110")
    upsert_contact(account, "x", {"name": "Zoé", "sms": "+1 438 555 0000"})
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.search_text == "zoe +1 438 555 0000"
    assert contact.search_digits == "14385550000"
    contact.name = "Chloé"
    contact.save(update_fields=["name"])
    assert Contact.objects.get(pk=contact.pk).search_text.startswith("chloe ")


def test_dial_strings_keep_the_plus_and_the_extension():
    from portal.directory.services import dial_string

    assert dial_string("(514) 254-7110") == "5142547110"
    assert dial_string("+1 514.254.7110") == "+15142547110"
    assert dial_string("514 254-7110 ext. 22") == "5142547110,22"
    assert dial_string("514-254-7110 poste 305") == "5142547110,305"
    assert dial_string("514 254-7110 x22", extension=False) == "5142547110"
    assert dial_string("ask the front desk") == ""


def test_numbers_are_links_on_one_line(member_client, account):
    upsert_contact(
        account,
        "luc",
        {"name": "Luc", "phones": ["+1 (514) 254-7110 ext. 22"], "sms": "438 555-0000"},
    )
    html = member_client.get(reverse("directory", args=[account.number])).content.decode()
    assert 'href="tel:+15142547110,22"' in html
    assert 'href="sms:4385550000"' in html
    assert ">438\u00a0555-0000</a>" in html  # no-break spaces, and the .phone class: nowrap
