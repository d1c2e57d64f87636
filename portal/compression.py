"""Pages, CSS, scripts, CSV answers and the OpenAPI document compressed with gzip when the browser accepts it.

Django's GZipMiddleware, limited to text: recordings (already compressed audio, served in byte
ranges) and other files keep their bytes and Content-Length. Static files are not touched
here: WhiteNoise serves their precompressed copies (see STORAGES in settings).
"""

from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = (
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/calendar",
    "application/javascript",
    "text/javascript",
    "application/json",
)


class CompressPagesMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if request.path_info.startswith("/api/") and not request.path_info.endswith(".json"):
            # The platform's small JSON answers (the dispatch's look-up above all) go as they
            # are; the OpenAPI document is large and is compressed.
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in TEXT_TYPES or response.streaming or response.status_code == 206:
            return response
        return super().process_response(request, response)
