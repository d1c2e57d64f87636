"""The client's real address (PORTAL_TRUSTED_PROXIES, portal.netaddr): X-Forwarded-For is
believed only when the connection comes from a trusted proxy, and then its right-most address
that is not itself a trusted proxy is the client's. The audit trail and django-axes (the sign-in
throttle) read the same function."""

import pytest
from django.test import RequestFactory

from portal import netaddr
from portal.accounts.models import AuditLog
from tests.api.helpers import MESSAGES, a_message

PROXY = "10.0.0.2"
CLIENT = "198.51.100.7"


@pytest.fixture
def proxies(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8:1::/48", "192.0.2.1"]
    return settings


def ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    return netaddr.client_ip(request)


def test_without_trusted_proxies_the_header_is_never_believed(settings):
    settings.PORTAL_TRUSTED_PROXIES = []
    assert ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"
    assert ip(PROXY, CLIENT) == PROXY


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(proxies):
    assert ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"
    assert ip("203.0.113.9", f"{CLIENT}, {PROXY}") == "203.0.113.9"
    # IPv6 outside the trusted network
    assert ip("2001:db8:2::5", CLIENT) == "2001:db8:2::5"


def test_behind_a_trusted_proxy_the_forwarded_client_is_taken(proxies):
    assert ip(PROXY, CLIENT) == CLIENT
    assert ip("192.0.2.1", CLIENT) == CLIENT  # a single address, not a network


def test_the_right_most_untrusted_address_wins_over_what_the_client_wrote(proxies):
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    assert ip(PROXY, f"1.2.3.4, {CLIENT}") == CLIENT
    # Two trusted proxies in a row: both skipped.
    assert ip(PROXY, f"1.2.3.4, {CLIENT}, 10.0.0.7") == CLIENT
    # Every hop trusted: the left-most one is as far as the chain can be followed.
    assert ip(PROXY, "10.0.0.9, 10.0.0.7") == "10.0.0.9"


def test_ipv6_clients_and_proxies_with_ports_brackets_and_mapped_addresses(proxies):
    assert ip("2001:db8:1::10", "2001:db8:ffff::1") == "2001:db8:ffff::1"
    assert ip("2001:db8:1::10", "[2001:db8:ffff::1]:4711") == "2001:db8:ffff::1"
    assert ip(PROXY, f"{CLIENT}:51000") == CLIENT
    assert ip("2001:db8:1::10", f"1.2.3.4, {CLIENT}") == CLIENT
    # a dual-stack socket reports the IPv4 proxy as ::ffff:10.0.0.2
    assert ip("::ffff:10.0.0.2", "2001:db8:ffff::1") == "2001:db8:ffff::1"
    assert ip("::ffff:203.0.113.9", CLIENT) == "203.0.113.9"


def test_garbage_in_the_header_stops_at_the_last_address_known_to_be_real(proxies):
    assert ip(PROXY, "unknown") == PROXY
    assert ip(PROXY, f"{CLIENT}, not-an-address") == PROXY
    assert ip(PROXY, f"not-an-address, {CLIENT}") == CLIENT
    assert ip(PROXY, "") == PROXY


def test_no_request_or_no_address_is_empty():
    assert netaddr.client_ip(None) == ""
    assert netaddr.client_address(None, CLIENT, ()) == ""


def test_a_wrong_entry_in_the_setting_is_refused_with_its_name():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="'10.0.0.300'"):
        netaddr.parse_networks(["10.0.0.1", "10.0.0.300"])


def test_axes_resolves_the_same_address(proxies):
    """AXES_CLIENT_IP_CALLABLE points at the same rule: the sign-in throttle counts the client,
    not the proxy (nor an address the client made up)."""
    from axes.helpers import get_client_ip_address

    request = RequestFactory().post("/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert get_client_ip_address(request) == CLIENT
    spoofed = RequestFactory().post(
        "/login/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=CLIENT
    )
    assert get_client_ip_address(spoofed) == "203.0.113.9"


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(
    proxies, api, make_token, make_account
):
    make_account()
    token = make_token("ingest", name="platform")
    r = api(
        "post",
        MESSAGES,
        token,
        json={"messages": [a_message()]},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLIENT}",
    )
    assert r.status_code == 200, r.content
    r = api(
        "post",
        MESSAGES,
        token,
        json={"messages": [a_message("2598663")]},
        REMOTE_ADDR="2001:db8:2::5",
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert r.status_code == 200, r.content
    assert list(AuditLog.objects.order_by("pk").values_list("ip", flat=True)) == [
        CLIENT,
        "2001:db8:2::5",
    ]
