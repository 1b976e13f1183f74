from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping|lookup:key``: a dict's value by a variable key."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
