from django.urls import path

from web import views_board as views

app_name = "leaderboard"

urlpatterns = [
    path("leaderboard/", views.leaderboard, name="board"),
    path("traders/<str:exchange_uid>/", views.trader_profile, name="trader"),
]
