"""The Import pages: upload a file, check its mapping on a preview, dry-run it, run it with a live
progress bar, roll it back. The work itself is ``transfer.imports.jobs``; it runs in the
background as a queued job (patron/jobs) that any server's ``patron worker`` takes, so a big file
never holds a request open."""

from __future__ import annotations

import os
import tempfile
from itertools import islice

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from patron.core.errors import DomainError
from patron.transfer.imports import files, jobs
from patron.transfer.imports.mappings import MATCH_KEYS, PROFILES_BY_KEY, all_targets
from patron.transfer.imports.reading import FileLayout, max_upload_bytes, rows_of
from patron.transfer.models import ImportJob, ImportStatus, SavedMapping
from patron.web.forms.imports import MappingForm, UploadForm
from patron.web.views.access import actor, raise_http, requires

PREVIEW_ROWS = 5


@requires("customers.import")
@require_http_methods(["GET", "POST"])
def import_start(request):
    """The upload form and the recent imports."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        saved = _saved_upload(upload)
        try:
            job = jobs.create_job(actor=actor(request), source=saved, file_name=upload.name,
                                  encoding=form.cleaned_data["encoding"], delimiter=form.cleaned_data["delimiter"],
                                  saved_mapping=form.cleaned_data["saved_mapping"], mapping=None,
                                  match_key="", channel_code="", strict=form.cleaned_data["strict"])
        except DomainError as error:
            os.unlink(saved)  # a file that cannot be imported is not kept
            raise_http(error)
            form.add_error("file" if not error.errors.get("mapping") else None, error.message)
        else:
            return redirect("web:import_job", job.pk)
    return render(request, "web/imports/start.html", {
        "form": form, "jobs": ImportJob.objects.all()[:20], "max_mb": max_upload_bytes() // (1024 * 1024)})


def _saved_upload(upload) -> str:
    """The upload as a file of its own (Django may hold small ones in memory)."""
    handle, path = tempfile.mkstemp(suffix=os.path.splitext(upload.name)[1].lower(), dir=files.imports_dir())
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@requires("customers.import")
@require_http_methods(["GET", "POST"])
def import_job(request, pk):
    """One import: its mapping on a preview until it runs, then its progress, report and rollback."""
    job = jobs.note_if_stalled(get_object_or_404(ImportJob, pk=pk))
    form = MappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.change_mapping(actor=actor(request), job=job, mapping=form.mapping(),
                                      match_key=form.cleaned_data["match_key"],
                                      channel_code=form.cleaned_data["channel_code"])
            if form.cleaned_data["save_as"]:
                jobs.save_mapping(actor=actor(request), name=form.cleaned_data["save_as"], job=job)
        except DomainError as error:
            raise_http(error)
            for message in error.errors.get("mapping", [error.message]):
                form.add_error(None, message)
        else:
            jobs.start_in_background(job, check="check" in request.POST)
            return redirect("web:import_job", job.pk)
    return render(request, "web/imports/job.html", _job_context(job, form))


def _job_context(job: ImportJob, form=None) -> dict:
    editable = job.status in (ImportStatus.PENDING, ImportStatus.CHECKED)
    return {
        "job": job, "form": form, "editable": editable, "preview": _preview(job) if editable else None,
        "targets": all_targets(), "profile": PROFILES_BY_KEY.get(job.profile), "match_keys": MATCH_KEYS,
        "problems": jobs.job_problems(job, limit=200), "warnings": jobs.job_warnings(job, limit=200),
        "is_working": job.status in (ImportStatus.CHECKING, ImportStatus.RUNNING),
        "percent": int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
    }


def _preview(job: ImportJob) -> dict:
    layout = FileLayout(headers=list(job.mapping), encoding=job.encoding or "utf-8-sig", delimiter=job.delimiter)
    try:
        rows = list(islice(rows_of(files.local_path(job.file_path), job.file_format, layout), PREVIEW_ROWS))
    except (DomainError, OSError) as error:
        return {"headers": layout.headers, "rows": [], "error": str(error)}
    return {"headers": layout.headers, "rows": [[row.cells.get(header, "") for header in layout.headers]
                                                 for row in rows]}


@requires("customers.import")
def import_progress(request, pk):
    """The progress fragment htmx polls while the import works; it stops polling when done."""
    job = jobs.note_if_stalled(get_object_or_404(ImportJob, pk=pk))
    if job.status not in (ImportStatus.CHECKING, ImportStatus.RUNNING) and request.GET.get("from") == "working":
        response = render(request, "web/imports/job.html#progress", _job_context(job))
        response["HX-Refresh"] = "true"  # the report and the next buttons come with the whole page
        return response
    return render(request, "web/imports/job.html#progress", _job_context(job))


@requires("customers.import")
@require_POST
def import_run(request, pk):
    """Start the real run after a dry run, or resume one that stopped."""
    job = get_object_or_404(ImportJob, pk=pk)
    jobs.start_in_background(job, check=False)
    return redirect("web:import_job", job.pk)


@requires("customers.import")
@require_POST
def import_rollback(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        jobs.rollback_job(actor=actor(request), job=job)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Import %(number)s was rolled back.") % {"number": job.pk})
    return redirect("web:import_job", job.pk)


def saved_mapping_names() -> list[str]:
    return list(SavedMapping.objects.values_list("name", flat=True))
