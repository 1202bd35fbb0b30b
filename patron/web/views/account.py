"""My account: what a staff user sets for themselves (the language the back office speaks)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from patron.staff.actions import set_user_language
from patron.web.forms.settings import LanguageForm
from patron.web.views.access import actor, signed_in
from patron.web.views.settings_base import perform, posted


@signed_in
def account(request):
    form = LanguageForm(posted(request), initial={"language": request.user.language})
    if form.is_valid() and perform(form, lambda: set_user_language(
            actor=actor(request), user=request.user, language=form.cleaned_data["language"])):
        # The message is kept as text: say it in the language just chosen.
        translation.activate(request.user.language or translation.get_language_from_request(request))
        messages.success(request, _("Language saved."))
        return redirect("web:account")
    return render(request, "web/account.html", {"form": form})
