"""API tokens in the admin: each user makes and revokes their own, a superuser anyone's.

The secret is shown once, on the page the "Sichern" of a new token answers with (not in a
message: messages are kept in the session or a cookie until shown). Only its hash is
stored (explainers/domain/api_tokens.py). Revoking keeps the row; nothing deletes one.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from explainers.domain import api_tokens
from explainers.models import ApiToken


class StateFilter(admin.SimpleListFilter):
    title = _("Zustand")
    parameter_name = "zustand"

    def lookups(self, request, model_admin):
        return [("gueltig", _("gültig")), ("widerrufen", _("widerrufen"))]

    def queryset(self, request, queryset):
        if self.value() in ("gueltig", "widerrufen"):
            return queryset.filter(revoked_at__isnull=self.value() == "gueltig")
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix_shown", "created_at", "last_used_at", "state")
    list_filter = (StateFilter,)
    search_fields = ("name", "prefix", "user__username")
    actions = ["revoke_selected"]
    readonly_fields = (
        "user", "prefix_shown", "created_at", "last_used_at", "revoked_at", "revoked_by",
    )  # fmt: skip

    @admin.display(description=_("Anfang"))
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description=_("Zustand"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is None:
            return _("gültig")
        return _("widerrufen")

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user", "revoked_by")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name") if request.user.is_superuser else ("name",)
        return ("name", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk}

    def _own(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and self._own(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        if not request.user.is_superuser:
            obj.user = request.user
        request._api_token_secret = api_tokens.issue(obj)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_api_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return TemplateResponse(
            request,
            "admin/explainers/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("API-Token angelegt"),
                "token": obj,
                "secret": secret,
            },
        )

    @admin.action(description=_("Ausgewählte API-Tokens widerrufen"))
    def revoke_selected(self, request, queryset):
        count = api_tokens.revoke(queryset, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(n)s API-Token widerrufen: es gilt ab sofort nicht mehr.",
                "%(n)s API-Tokens widerrufen: sie gelten ab sofort nicht mehr.",
                count,
            )
            % {"n": count},
        )
