"""Impressum and Datenschutz in the admin: the desk edits their title and text, nothing else.

Django's own flat page admin also offers the template and the address; a template chosen
there (an admin template, the login page) would put any page of the app under /impressum/.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.flatpages.models import FlatPage

from explainers.domain import public_urls

admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class LegalPageAdmin(admin.ModelAdmin):
    list_display = ("url", "title")
    fields = ("url", "title", "content")
    readonly_fields = ("url",)
    search_fields = ("url", "title")

    def view_on_site(self, obj):
        # Django's default goes through the Sites row (http://localhost/).
        return public_urls.link(obj.url)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
