"""The Segments page: saved filters over customers, with how many each keeps now and its exports.
The rules are ``marketing.actions``; exports are the customer list's (``transfer.exports``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from patron.core.errors import DomainError
from patron.marketing import actions
from patron.marketing.models import Segment
from patron.marketing.queries import list_segments, segment_customers
from patron.transfer.exports import FORMATS, download, export_customers, export_file_name
from patron.web.forms import add_domain_errors
from patron.web.forms.segments import SegmentForm
from patron.web.views.access import actor, raise_http, requires


@requires("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_list(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = actions.create_segment(actor=actor(request), values=form.values())
        except DomainError as error:
            raise_http(error)
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
            return redirect("web:segment_list")
    segments = [(segment, segment_customers(segment).count()) for segment in list_segments()]
    return render(request, "web/marketing/segments.html", {"form": form, "segments": segments,
                                                           "formats": list(FORMATS)})


@requires("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_edit(request, uuid):
    """Change a segment's name and rules; a change someone made meanwhile is not overwritten."""
    segment = get_object_or_404(list_segments(), uuid=uuid)
    form = SegmentForm(request.POST or None, initial=SegmentForm.initial_of(segment))
    if request.method == "POST" and form.is_valid():
        try:
            segment = actions.update_segment(actor=actor(request), segment=segment, values=form.values(),
                                             expected_version=form.cleaned_data["version"])
        except DomainError as error:
            raise_http(error)
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
            return redirect("web:segment_list")
    return render(request, "web/marketing/segment_edit.html", {
        "form": form, "segment": segment, "count": segment_customers(segment).count()},
        status=422 if form.errors else 200)


@requires("segments.manage")
@require_POST
def segment_delete(request, uuid):
    segment = get_object_or_404(Segment, uuid=uuid)
    try:
        actions.delete_segment(actor=actor(request), segment=segment)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("web:segment_list")


@requires("segments.manage", "customers.export")
def segment_export(request, uuid, format_key):
    """The customers the segment keeps now, as a file (the customer list's export formats)."""
    if format_key not in FORMATS:
        raise Http404(_("No such export format."))
    segment = get_object_or_404(Segment, uuid=uuid)
    return download(export_customers(actor=actor(request), customers=segment_customers(segment),
                                     format_key=format_key), format_key,
                    export_file_name(["segment", segment.name], format_key))
