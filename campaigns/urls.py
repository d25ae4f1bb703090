from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("campaigns/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("campaigns/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("me/", views.me, name="me"),
]
