"""URLs of the till, the Sales pages, the overdue list and the money sections of the customer
page (names are used as web:<name>)."""

from django.urls import path

from patron.web.views import credit, loyalty, orders, sales, settings_money, till

_ONE = "customers/<uuid:uuid>/"

urlpatterns = [
    path("till/", till.till, name="till"),
    path("till/customer/", till.select_customer, name="till_select_customer"),
    path("till/customer/clear/", till.clear_customer, name="till_clear_customer"),
    path("till/lines/", till.add_line, name="till_add_line"),
    path("till/lines/<int:index>/remove/", till.remove_line, name="till_remove_line"),
    path("till/complete/", till.complete_sale, name="till_complete"),
    path("till/new/", till.new_sale, name="till_new_sale"),
    path("till/sales/<uuid:uuid>/", till.sale_done, name="till_done"),
    path("sales/", sales.sale_list, name="sale_list"),
    path("sales/<uuid:uuid>/", sales.sale_detail, name="sale_detail"),
    path("sales/<uuid:uuid>/receipt/", sales.email_receipt, name="sale_email_receipt"),
    path("overdue-accounts/", credit.overdue, name="overdue_accounts"),
    path(_ONE + "account/payment/", credit.record_payment, name="customer_record_payment"),
    path(_ONE + "account/limit/", credit.set_limit, name="customer_credit_limit"),
    path(_ONE + "account/adjustment/", credit.post_adjustment, name="customer_credit_adjustment"),
    path(_ONE + "account/entries/<uuid:entry_uuid>/reverse/", credit.reverse_entry,
         name="customer_credit_reverse"),
    path(_ONE + "account/statement/", credit.statement_page, name="customer_statement"),
    path(_ONE + "points/adjustment/", loyalty.adjust_points, name="customer_points_adjustment"),
    path(_ONE + "orders/new/", orders.new_order, name="customer_new_order"),
    path(_ONE + "orders/<uuid:order_uuid>/edit/", orders.edit_order, name="customer_edit_order"),
    path(_ONE + "orders/<uuid:order_uuid>/status/", orders.order_status, name="customer_order_status"),
    path("settings/credit-loyalty/", settings_money.credit_loyalty, name="settings_credit_loyalty"),
]
