from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("measures/", views.measures, name="measures"),
]
