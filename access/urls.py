"""The site's own sign-in and sign-out (Django's auth views), for readers without staff
status, and the admin's second factor; mounted at /accounts/. The names are Django's
conventional `login` / `logout`."""

from django.contrib.auth import views as auth_views
from django.urls import path

from access import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="access/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    # POST only (Django's LogoutView): a link or an image elsewhere cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
]
