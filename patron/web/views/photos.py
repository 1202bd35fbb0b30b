"""Customer photos: upload, remove, and serve them to logged-in staff only (O18)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patron.customers import actions
from patron.web.forms.customers import PhotoForm
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import (
    Rejected,
    customer_or_404,
    customer_url,
    perform,
    submit,
)
from patron.web.views.customer_detail import render_detail

# A photo URL carries ?v=<photo_version>: while it matches, the browser may keep the image.
CACHE_FRESH = "private, max-age=31536000, immutable"
CACHE_CHECK = "private, no-cache"


@requires("customers.view")
@require_GET
def photo(request, uuid):
    customer = customer_or_404(uuid)
    if not customer.photo or not default_storage.exists(customer.photo):
        raise Http404(_("This customer has no photo."))
    response = FileResponse(default_storage.open(customer.photo, "rb"), content_type="image/webp")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = CACHE_FRESH if request.GET.get("v") == str(customer.photo_version) else CACHE_CHECK
    return response


@requires("customers.edit")
@require_POST
def photo_upload(request, uuid):
    customer = customer_or_404(uuid)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        # Read one byte past the limit at most: enough for the action to call the file too large.
        data = form.cleaned_data["photo"].read(settings.PATRON_PHOTO_MAX_BYTES + 1)
        try:
            submit(form, actions.set_photo, actor=actor(request), customer=customer, data=data)
        except Rejected:
            pass
        else:
            messages.success(request, _("Photo saved."))
            return redirect(customer_url(customer))
    return render_detail(request, customer, status=422, photo_form=form)


@requires("customers.edit")
@require_POST
def photo_remove(request, uuid):
    customer = customer_or_404(uuid)
    if perform(request, actions.remove_photo, actor=actor(request), customer=customer):
        messages.success(request, _("Photo removed."))
    return redirect(customer_url(customer))
