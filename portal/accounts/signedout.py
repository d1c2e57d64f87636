"""What a request gets when its session has ended, and where signing in again leads.

A page (a link followed, a form posted by the browser itself) is sent to the sign-in page.
A background request (htmx, a script's fetch, the inbox's live poll) cannot show that page:
it gets a short 401 answer whose HX-Redirect header names the sign-in page, which htmx and
portal.js follow as a page. Either way the `next` is the page the person was on: for a
background request or a posted form, the page that made it (HX-Current-URL, else the
Referer), never the fragment's or the form's own URL, which cannot be opened as a page (a
closed message's POST would answer 405 after signing in). That page shows again after
signing in, its form ready to send again (nothing is replayed).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

BACKGROUND_HEADER = "X-Portal-Background"
# Set in the new, signed-out session by the idle logoff: the sign-in page then says why.
IDLE_ENDED = "_idle_ended"
# Set likewise when the session reached its maximum length (PORTAL_SESSION_MAX_SECONDS).
MAX_ENDED = "_max_ended"
SIGNED_OUT_HEADER = "X-Portal-Signed-Out"


def is_background(request) -> bool:
    """htmx, a request marked as background, or a script's fetch (not a navigation)."""
    if request.headers.get("HX-Request") == "true":
        return True
    if request.headers.get(BACKGROUND_HEADER) == "1":
        return True
    mode = request.headers.get("Sec-Fetch-Mode")
    return mode is not None and mode not in ("navigate", "nested-navigate")


def _local(request, url: str) -> str:
    """`url` as a path and query when it is a page of this site, else ""."""
    if not url or not url_has_allowed_host_and_scheme(
        url, {request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path == resolve_url(settings.LOGIN_URL):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


# The views that answer a file, not a page: signing in again leads back to the page of
# their link or form (a link to an export followed after the session ended shows the sign-in
# page as a page, then the report page, where the link can be followed again).
FILE_VIEWS = {
    "billable_export",
    "stats_export",
    "inbox_export",
    "calls_download",
    "export_download",
    "call_recording",
    "oncall_pdf",
    "oncall_history_csv",
    "oncall_history_xlsx",
}


def _is_file(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in FILE_VIEWS


def page_url(request) -> str:
    """The page the person was on when this request was made."""
    if request.method in ("GET", "HEAD") and not is_background(request) and not _is_file(request):
        return request.get_full_path()
    for header in ("HX-Current-URL", "Referer"):
        page = _local(request, request.headers.get(header, ""))
        if page:
            return page
    if request.method in ("GET", "HEAD") and not is_background(request):
        return request.get_full_path()  # a file's address opened by itself
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def login_url(request) -> str:
    query = QueryDict(mutable=True)
    query["next"] = page_url(request)
    if is_background(request) or settings.SESSION_COOKIE_NAME in request.COOKIES:
        # a session this browser had has ended: the page says so (and why)
        query["ended"] = "max" if getattr(request, "session_max_ended", False) else "1"
    return f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}"


def signed_out(request) -> HttpResponse:
    """The answer to a request that needs a signed-in person and has none."""
    target = login_url(request)
    if not is_background(request):
        return HttpResponseRedirect(target)
    response = HttpResponse(
        _("You have been signed out. Please sign in again."),
        status=401,
        content_type="text/plain; charset=utf-8",
    )
    response["HX-Redirect"] = target
    response[SIGNED_OUT_HEADER] = "1"
    response["Cache-Control"] = "no-store"
    return response
