"""The newsroom's two roles as permission groups, created by a migration and re-created
(idempotently) by `manage.py setup_roles`.

Redaktion (reporters) write, save and preview; the desk (Chef vom Dienst) also publishes,
reverts published pieces, manages recommendations, deletes never-published explainers and
edits the legal pages.
"""

from __future__ import annotations

REPORTERS = "Redaktion"
DESK = "Chef vom Dienst"

_REPORTER_PERMISSIONS = {
    ("explainers", "explainer"): ("add", "change", "view"),
    ("explainers", "question"): ("add", "change", "delete", "view"),
    ("explainers", "source"): ("add", "change", "delete", "view"),
    ("explainers", "citation"): ("add", "change", "delete", "view"),
    ("explainers", "relatedlink"): ("view",),
    ("explainers", "publication"): ("view",),
    ("explainers", "scheduledpublication"): ("view",),
}
_DESK_PERMISSIONS = {
    **_REPORTER_PERMISSIONS,
    ("explainers", "explainer"): ("add", "change", "delete", "view", "publish"),
    ("explainers", "relatedlink"): ("add", "change", "delete", "view"),
    ("explainers", "scheduledpublication"): ("change", "view"),
    ("flatpages", "flatpage"): ("change", "view"),
}
ROLES = {REPORTERS: _REPORTER_PERMISSIONS, DESK: _DESK_PERMISSIONS}


def codename(model: str, action: str) -> str:
    return "publish_explainer" if action == "publish" else f"{action}_{model}"


def setup_roles(apps=None) -> dict[str, int]:
    """Create or update both groups with exactly their permissions; returns the number
    of permissions per group. Works with historical models (in a migration) and live ones.

    On a fresh database permissions do not exist until post_migrate has run, so they
    are created here first.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_label in ("explainers", "flatpages"):
        app_config = apps.get_app_config(app_label)
        # Migration state's app configs have no models module; these helpers only
        # check that it is set before looking the models up through `apps`.
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        try:
            create_contenttypes(app_config, verbosity=0, apps=apps)
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            if stub:
                app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    counts = {}
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for (app_label, model), actions in grants.items():
            try:
                apps.get_model(app_label, model)
            except LookupError:
                continue  # a model a later migration adds; that migration re-runs this
            for action in actions:
                wanted.append(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=codename(model, action)
                    )
                )
        group.permissions.set(wanted)
        counts[name] = len(wanted)
    return counts
