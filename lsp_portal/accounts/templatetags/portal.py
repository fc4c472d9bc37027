from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, _name=None, _value=None, **changes):
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query = context["request"].GET.copy()
    if _name:  # a parameter whose name is a variable: {% query_with param page.number %}
        changes[_name] = _value
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
