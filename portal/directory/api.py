"""API endpoints of the directory app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["directory"])
