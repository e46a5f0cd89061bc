"""The reporting pages (outside the admin): the rounds a user may act on, an agency's grid,
its Excel template and upload, a round's approval page and its completeness."""

from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("<slug:round_code>/", views.round_detail, name="round"),
    path("<slug:round_code>/completeness/", views.completeness, name="completeness"),
    path("<slug:round_code>/<slug:agency_code>/", views.set_entry, name="set"),
    path("<slug:round_code>/<slug:agency_code>/template.xlsx", views.set_template, name="set_template"),
    path("<slug:round_code>/<slug:agency_code>/template.csv", views.set_template_csv, name="set_template_csv"),
    path("<slug:round_code>/<slug:agency_code>/upload/", views.set_upload, name="set_upload"),
    path("<slug:round_code>/<slug:agency_code>/approve/", views.set_approve, name="set_approve"),
    path("<slug:round_code>/<slug:agency_code>/return/", views.set_return, name="set_return"),
]
