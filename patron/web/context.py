"""Template context shared by every back-office page."""

from patron.core.permissions import PERMISSIONS, allows


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = getattr(user, "role", None)
    return {"can": {name.replace(".", "_"): allows(role, name) for name in PERMISSIONS}}
