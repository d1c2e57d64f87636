"""API endpoints of the accounts app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["accounts"])
