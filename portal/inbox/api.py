"""API endpoints of the inbox app (mounted in portal/api/urls.py)."""

from ninja import Router

router = Router(tags=["inbox"])
