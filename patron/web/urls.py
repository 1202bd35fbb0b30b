"""Back-office URLs. Customer pages, settings pages and the money pages (till, sales, credit)
keep their routes in their own modules."""

from django.urls import path

from patron.web import urls_customers, urls_duplicates, urls_marketing, urls_merging, urls_money, urls_settings
from patron.web.views import account, auth
from patron.web.views.access import public

app_name = "web"
urlpatterns = [
    path("login/", public(auth.LoginView.as_view()), name="login"),
    path("logout/", public(auth.LogoutView.as_view()), name="logout"),
    path("account/", account.account, name="account"),
    *urls_customers.urlpatterns,
    *urls_settings.urlpatterns,
    *urls_money.urlpatterns,
    *urls_marketing.urlpatterns,
    *urls_duplicates.urlpatterns,
    *urls_merging.urlpatterns,
]
