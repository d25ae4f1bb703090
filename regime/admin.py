from django.contrib import admin

from regime.models import MarketSeries, Observation, RegimeReading


@admin.register(MarketSeries)
class MarketSeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "frequency", "source", "is_simulated", "updated_at"]
    list_filter = ["source", "is_simulated"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["series", "date", "value"]
    list_select_related = ["series"]  # each row shows its series: one join, not a query per row
    list_filter = ["series"]
    date_hierarchy = "date"


@admin.register(RegimeReading)
class RegimeReadingAdmin(admin.ModelAdmin):
    list_display = ["as_of", "label", "score", "is_simulated"]
    list_filter = ["label"]
