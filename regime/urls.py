from django.urls import path

from regime import views

app_name = "regime"

urlpatterns = [
    path("regime/", views.history, name="history"),
]
