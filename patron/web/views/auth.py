"""Logging in and out. django-axes counts failures and locks an account out after repeated ones."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
