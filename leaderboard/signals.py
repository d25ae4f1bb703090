"""What the leaderboard announces to the layers above it (they subscribe; the leaderboard names none of them)."""

from django.dispatch import Signal

# Sent inside the publishing transaction with run=<the published RankingRun> (e.g. web refreshes cached pages).
ranking_published = Signal()
