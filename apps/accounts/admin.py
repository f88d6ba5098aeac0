from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.models import Qualification, Region, User


@admin.register(User)
class StaffAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "name", "role", "is_active")
    fieldsets = UserAdmin.fieldsets + (
        ("Service", {"fields": ("name", "role", "phone", "regions", "skill_groups", "dealer")}),
    )


admin.site.register(Region, SimpleHistoryAdmin)
admin.site.register(Qualification, SimpleHistoryAdmin)
