from django.urls import path

from patron.api.site import api

urlpatterns = [path("", api.urls)]
