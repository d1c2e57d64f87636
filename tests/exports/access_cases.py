from tests.access import AccessCase


def _job(account):
    from portal.exports.models import ExportJob

    job = ExportJob.objects.filter(account=account, user__username="member").first()
    if job is None:
        from datetime import timedelta

        from django.utils import timezone

        from portal.accounts.models import User

        job = ExportJob.objects.create(
            account=account,
            user=User.objects.get_or_create(username="member")[0],  # the member's own job
            kind="calls.xlsx",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    return {"job_id": str(job.pk)}


CASES = [
    AccessCase("exports"),
    AccessCase("export_job", setup=_job),
    # Not finished: nothing to download yet (the 404 of a page that does not exist).
    AccessCase("export_download", setup=_job, member_status=404),
]
