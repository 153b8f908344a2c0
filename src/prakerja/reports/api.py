"""API operations of this app (mounted at ``/api/v1/``)."""

from ninja import Router

router = Router()
