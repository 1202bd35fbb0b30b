from django.urls import include, path

urlpatterns = [
    path("", include("patron.ops.urls")),
    path("api/v1/", include("patron.api.urls")),
    path("", include("patron.web.urls")),
]
