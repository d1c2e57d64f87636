"""API endpoints of the calls app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["calls"])
