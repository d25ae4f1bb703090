app_name = "regime"

urlpatterns: list = []
