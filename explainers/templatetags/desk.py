from django import template

from explainers.desk.dashboard import desk_lists
from explainers.domain.conflict_places import conflict_place as place_of

register = template.Library()


@register.inclusion_tag("admin/explainers/_desk_lists.html", takes_context=True)
def desk_dashboard(context):
    user = context["request"].user
    return {"lists": desk_lists() if user.has_perm("explainers.view_explainer") else []}


@register.filter
def conflict_place(conflict) -> str:
    return place_of(conflict)
