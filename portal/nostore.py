"""`Cache-Control: no-store` on every answer the portal computes: client pages, exports,
recordings, PDFs, the calendar feeds, the back office, the API (errors included) and the
sign-in page. Nothing the portal answers may be kept by a browser's cache or a proxy on
the way, where the next person at a shared computer, or the proxy's owner, could read it.

It sits right after WhiteNoise, which answers the static files itself (they keep their
ten-year lifetime: they hold no client data), and before everything else, so that even an
answer another middleware makes on its own (a 404 for an outsider, the idle logoff's
redirect, a lockout) carries it.
"""

NO_STORE = "no-store"


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = NO_STORE
        # An Expires a view set would contradict it for HTTP/1.0 caches.
        if "Expires" in response:
            del response["Expires"]
        return response
