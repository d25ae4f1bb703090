from django.urls import path

from results import views

app_name = "results"

urlpatterns = [
    path("results/verify_results.py", views.verifier, name="verifier"),
    path("campaigns/<slug:slug>/results/", views.results_list, name="list"),
    path("campaigns/<slug:slug>/results/<int:batch_id>/", views.results_detail, name="detail"),
    path("campaigns/<slug:slug>/results/<int:batch_id>/bundle.zip", views.results_zip, name="zip"),
    path("campaigns/<slug:slug>/results/<int:batch_id>/<str:name>", views.results_file, name="file"),
]
