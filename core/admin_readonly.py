"""A ModelAdmin that only shows rows, to everyone, superusers included: for records written by services alone
(payout lines, audit events, emails, ranking inputs and outputs)."""

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
