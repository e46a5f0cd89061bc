from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/", views.plans, name="plans"),
    path("plans/<slug:plan_code>/", views.plan_overview, name="plan"),
    path("plans/<slug:plan_code>/measures/", views.plan_measures, name="plan_measures"),
    path("plans/<slug:plan_code>/targets/<slug:code>/", views.target_detail, name="target"),
    path("plans/<slug:plan_code>/pdf/", views.plan_overview_pdf, name="plan_pdf"),
    path("plans/<slug:plan_code>/targets/<slug:code>/pdf/", views.target_pdf, name="target_pdf"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    # Addresses from before plans had their own: they keep working.
    path("targets/<slug:code>/", views.target_moved, name="target_moved"),
    path("measures/", views.measures_moved, name="measures"),
    # Pages without a <link rel=icon> (the API's JSON in a browser) still get the icon.
    path("favicon.ico", views.favicon, name="favicon"),
]
