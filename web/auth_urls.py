"""Sign-in, sign-out and password-reset pages: Django's auth views, under the un-namespaced names Django's auth
expects ("login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
"password_reset_complete")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web import views_campaigns as views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
