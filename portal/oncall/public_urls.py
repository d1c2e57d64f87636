"""Public, secret-link URLs of the on-call app (iCal feeds); no account in the path."""

from django.http import Http404, HttpResponse
from django.urls import path

from portal.oncall import feeds
from portal.oncall.models import CalendarFeed


def ical(request, token: str):
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at=None)
        .select_related("account", "schedule", "contact")
        .first()
    )
    if feed is None:
        raise Http404
    response = HttpResponse(feeds.build(feed), content_type="text/calendar; charset=utf-8")
    # Client data: not kept by caches (Cache-Control: no-store, portal.nostore).
    return response


urlpatterns = [
    path("ical/<str:token>.ics", ical, name="oncall_ical"),
]
