"""API endpoints of the stats app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["stats"])
