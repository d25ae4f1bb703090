"""Market series, their observations, and the liquidity-regime readings computed from them."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.constraints import day_in_range


class MarketSeries(models.Model):
    class Source(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange (ccxt)")
        FRED = "fred", _("FRED")
        IMPORT = "import", _("Import")
        SIMULATED = "simulated", _("Simulated")

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("e.g. BTC/USDT, DGS10, M2SL, MU"))
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, default="daily")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.IMPORT)
    is_simulated = models.BooleanField(_("simulated"), default=False)
    cursor_ms = models.BigIntegerField(null=True, blank=True, help_text=_("Next candle pull starts here"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("market series")
        verbose_name_plural = _("market series")

    def __str__(self) -> str:
        return self.code


class Observation(models.Model):
    series = models.ForeignKey(MarketSeries, on_delete=models.CASCADE, related_name="observations")
    date = models.DateField()
    value = models.DecimalField(max_digits=28, decimal_places=10, help_text=_("Close for price series"))
    open = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    high = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    low = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    volume = models.DecimalField(max_digits=32, decimal_places=10, null=True, blank=True)

    class Meta:
        ordering = ["series_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="uniq_observation_series_date"),
            day_in_range("date", name="observation_date_in_range", market=True),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.date} {self.value}"


class RegimeReading(models.Model):
    class Label(models.TextChoices):
        ABUNDANT = "abundant", _("Liquidity abundant")
        NEUTRAL = "neutral", _("Neutral")
        SCARCE = "scarce", _("Capital scarce")

    as_of = models.DateField(_("as of"), unique=True)
    score = models.FloatField(_("score"))
    label = models.CharField(_("label"), max_length=12, choices=Label.choices)
    components = models.JSONField(_("indicators"), default=dict, blank=True)
    missing = models.JSONField(_("missing or stale inputs"), default=list, blank=True)
    text_en = models.TextField(blank=True)
    text_zh = models.TextField(blank=True)
    is_simulated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [day_in_range("as_of", name="regime_reading_as_of_in_range", market=True)]
        verbose_name = _("regime reading")
        verbose_name_plural = _("regime readings")

    def __str__(self) -> str:
        return f"{self.as_of} {self.label} ({self.score:+.2f})"

    @property
    def text(self) -> str:
        """The framing text in the active language (Chinese for any zh variant, English otherwise)."""
        return self.text_zh if (get_language() or "en").lower().startswith("zh") else self.text_en
