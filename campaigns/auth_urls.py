"""Sign-in and sign-out pages (Django's auth views; un-namespaced names "login" and "logout" as auth expects)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from campaigns import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
