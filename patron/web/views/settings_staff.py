"""Settings > Staff and Settings > API tokens: who may use Patron, with which role, from which store."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.staff import actions
from patron.staff.models import ApiToken, User
from patron.staff.queries import api_tokens, staff_users
from patron.web.forms.settings import ApiTokenForm, LanguageForm, UserCreateForm, UserPasswordForm, UserRoleForm
from patron.web.views.access import actor, requires
from patron.web.views.settings_base import perform, perform_button, posted, render_form, render_page

MANAGE = "staff.manage"


# --- users -------------------------------------------------------------------------------------

@requires(MANAGE)
def staff(request):
    return render_page(request, "web/settings/staff.html", "settings_staff", users=staff_users())


@requires(MANAGE)
def user_create(request):
    form = UserCreateForm(posted(request))
    if form.is_valid() and perform(form, lambda: actions.create_user(
            actor=actor(request), **_without_repeat(form))):
        messages.success(request, _("User %(username)s created.") % {"username": form.cleaned_data["username"]})
        return redirect("web:settings_staff")
    return render_form(request, form, section="settings_staff", title=_("New user"), submit=_("Create user"),
                       cancel_url=reverse("web:settings_staff"))


def _without_repeat(form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "password_again"}


@requires(MANAGE)
def user_detail(request, username: str):
    user = get_object_or_404(User, username=username)
    return _user_page(request, user)


def _user_page(request, user: User, *, role_form=None, password_form=None, language_form=None):
    store = str(user.location.uuid) if user.location else ""
    role_form = role_form or UserRoleForm(initial={"role": user.role, "location": store})
    language_form = language_form or LanguageForm(initial={"language": user.language})
    return render_page(request, "web/settings/user.html", "settings_staff", staff_user=user,
                       role_form=role_form, password_form=password_form or UserPasswordForm(),
                       language_form=language_form)


@requires(MANAGE)
@require_POST
def user_role(request, username: str):
    user = get_object_or_404(User, username=username)
    form = UserRoleForm(request.POST)
    if form.is_valid() and perform(form, lambda: actions.set_user_role(
            actor=actor(request), user=user, **form.cleaned_data)):
        messages.success(request, _("Role and store of %(username)s saved.") % {"username": user.username})
        return redirect("web:settings_user", username=user.username)
    return _user_page(request, user, role_form=form)


@requires(MANAGE)
@require_POST
def user_language(request, username: str):
    user = get_object_or_404(User, username=username)
    form = LanguageForm(request.POST)
    if form.is_valid() and perform(form, lambda: actions.set_user_language(
            actor=actor(request), user=user, language=form.cleaned_data["language"])):
        messages.success(request, _("Language of %(username)s saved.") % {"username": user.username})
        return redirect("web:settings_user", username=user.username)
    return _user_page(request, user, language_form=form)


@requires(MANAGE)
@require_POST
def user_password(request, username: str):
    user = get_object_or_404(User, username=username)
    form = UserPasswordForm(request.POST)
    if form.is_valid() and perform(form, lambda: actions.set_user_password(
            actor=actor(request), user=user, password=form.cleaned_data["password"])):
        if user.pk == request.user.pk:
            update_session_auth_hash(request, user)  # a new password ends other sessions, not this one
        messages.success(request, _("New password of %(username)s set.") % {"username": user.username})
        return redirect("web:settings_user", username=user.username)
    return _user_page(request, user, password_form=form)


@requires(MANAGE)
@require_POST
def user_deactivate(request, username: str):
    user = get_object_or_404(User, username=username)
    perform_button(request, lambda: actions.deactivate_user(actor=actor(request), user=user),
                   _("%(username)s can no longer log in.") % {"username": user.username})
    return redirect("web:settings_user", username=user.username)


@requires(MANAGE)
@require_POST
def user_reactivate(request, username: str):
    user = get_object_or_404(User, username=username)
    perform_button(request, lambda: actions.reactivate_user(actor=actor(request), user=user),
                   _("%(username)s can log in again.") % {"username": user.username})
    return redirect("web:settings_user", username=user.username)


# --- API tokens --------------------------------------------------------------------------------

@requires(MANAGE)
def tokens(request):
    return render_page(request, "web/settings/tokens.html", "settings_tokens", tokens=api_tokens())


@requires(MANAGE)
def token_create(request):
    form = ApiTokenForm(posted(request))
    created = form.is_valid() and perform(form, lambda: actions.create_api_token(
        actor=actor(request), created_by=request.user, **form.cleaned_data))
    if not created:
        return render_form(request, form, section="settings_tokens", title=_("New API token"),
                           submit=_("Create token"), cancel_url=reverse("web:settings_tokens"))
    token, secret = created
    # The secret lives only in this response: never stored, redirected through or kept in a message.
    response = render_page(request, "web/settings/token_created.html", "settings_tokens", token=token,
                           secret=secret)
    add_never_cache_headers(response)
    return response


@requires(MANAGE)
@require_POST
def token_revoke(request, prefix: str):
    token = get_object_or_404(ApiToken, prefix=prefix)
    perform_button(request, lambda: actions.revoke_api_token(actor=actor(request), token=token),
                   _("Token %(name)s revoked: it no longer works.") % {"name": token.name})
    return redirect("web:settings_tokens")
