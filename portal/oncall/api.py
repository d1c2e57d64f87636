"""API endpoints of the oncall app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["oncall"])
