from django.urls import path

from web import views_campaigns as views
from web import views_posts

app_name = "campaigns"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("campaigns/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("campaigns/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("me/", views.me, name="me"),
    path("me/api-key/", views.me_api_key, name="api_key"),
    path("me/posts/new/", views_posts.post_new, name="post_new"),
]
