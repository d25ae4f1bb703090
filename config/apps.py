"""The admin app with Starboard's admin site (core/admin_site.py) as the default `admin.site`."""

from django.contrib.admin.apps import AdminConfig


class StarboardAdminConfig(AdminConfig):
    default_site = "core.admin_site.StarboardAdminSite"
