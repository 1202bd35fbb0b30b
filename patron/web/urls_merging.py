"""Back-office URLs of the merging pages."""

urlpatterns = []
