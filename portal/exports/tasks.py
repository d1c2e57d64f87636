"""The background exports' task (portal.exports.services.build)."""

from celery import shared_task

from portal.tasks import PortalTask


@shared_task(
    base=PortalTask, name="portal.exports.build_export", soft_time_limit=3600, time_limit=3660
)
def build_export(job_id: str) -> str:
    from portal.exports.services import build

    return build(job_id)
