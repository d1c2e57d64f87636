"""API endpoints of the billing app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["billing"])
