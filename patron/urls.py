from django.urls import include, path

urlpatterns = [
    path("", include("patron.web.urls")),
]
