"""The background exports' pages: one job's progress (htmx polls it every second; without
JavaScript the page refreshes itself), its download, and the login's recent exports.
A job is its login's own, in the account of the URL: anyone else gets the 404 of a page that
does not exist."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portal.accounts import audit
from portal.accounts.tenancy import request_accounts
from portal.exports import services
from portal.exports.models import ExportJob
from portal.storage import read_chunks


def _job(request, job_id) -> ExportJob:
    job = services.job_for(request.user, request.account, job_id)
    if job is None:
        raise Http404
    return job


def _labelled(job: ExportJob) -> ExportJob:
    kind = services.KINDS[job.kind]
    job.label = kind.label
    job.count_text = kind.holds(job.count) % {
        "count": number_format(job.count, force_grouping=True)
    }
    return job


def _context(request, job=None) -> dict:
    context = {
        "section": "exports",
        "job": job,
        "jobs": [_labelled(j) for j in services.recent(request.user, request.account)],
        "keep_hours": round(services.keep_hours()),
    }
    if job is not None:
        kind = services.KINDS[job.kind]
        back = reverse(kind.back, kwargs={"account_number": request.account.number})
        query = job.criteria.get("query", "")
        context["back"] = f"{back}?{query}" if query else back
        context["back_label"] = kind.back_label
    return context


@require_GET
def export_list(request, account_number):
    return render(request, "exports/exports.html", _context(request))


@require_GET
def export_job(request, account_number, job_id):
    job = _job(request, job_id)
    if request.htmx:
        # The job's card, and (out of band) the list, whose line for it changes too.
        return render(request, "exports/_poll.html", {**_context(request), "job": _labelled(job)})
    return render(request, "exports/job.html", _context(request, _labelled(job)))


@require_GET
def export_download(request, account_number, job_id):
    """The finished file, streamed from the storage; audited as the export it is."""
    job = _job(request, job_id)
    numbers = job.criteria.get("accounts") or [job.account.number]
    mine = {a.number: a for a in request_accounts(request)}
    if job.status != ExportJob.DONE or not set(numbers) <= set(mine):
        raise Http404
    from django.core.files.storage import default_storage

    try:
        chunks = read_chunks(default_storage, job.file_name)
    except FileNotFoundError:
        raise Http404 from None
    kind = services.KINDS[job.kind]
    audit.read(
        request,
        kind.audit,
        account=[mine[n] for n in numbers],
        criteria=job.criteria.get("cleaned") or {},
        format=job.file_name.rsplit(".", 1)[-1],
        count=job.count,
        export=str(job.pk),
        calls=job.criteria.get("ids") or None,
        checked=len(job.criteria.get("message_ids") or []) or None,
    )
    response = StreamingHttpResponse(chunks, content_type=kind.content_type)
    response["Content-Length"] = str(job.size)
    response["Content-Disposition"] = content_disposition_header(True, job.download_name)
    return response
