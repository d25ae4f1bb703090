from django.shortcuts import render

from campaigns.selectors import campaign_featured


def home(request):
    campaign = campaign_featured()
    return render(request, "leaderboard/home.html", {"campaign": campaign})
