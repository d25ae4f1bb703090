"""Public pages and the API: the top layer, reading every app below."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "web"

    def ready(self) -> None:
        from web.board_cache import board_cache_connect  # signal wiring at app start, Django's documented place

        board_cache_connect()
