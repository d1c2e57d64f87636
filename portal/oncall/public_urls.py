"""Public, secret-link URLs of the on-call app (iCal feeds); no account in the path."""

from django.http import Http404, HttpResponse
from django.urls import path

from portal.accounts import audit
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
    body = feeds.build(feed)
    # Read by a calendar program through the secret link: the actor is the feed, named by
    # its schedule or contact (the client's words, on one line).
    target = feed.schedule or feed.contact
    audit.read(
        request,
        "oncall.feed",
        account=feed.account,
        obj=feed,
        actor="feed:" + " ".join(target.name.split()),
        schedule=feed.schedule.external_id if feed.schedule else "",
        contact=feed.contact.external_id if feed.contact else "",
    )
    # Client data: not kept by caches (Cache-Control: no-store, portal.nostore).
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


urlpatterns = [
    path("ical/<str:token>.ics", ical, name="oncall_ical"),
]
