"""Back-office URLs of the duplicates pages."""

urlpatterns = []
