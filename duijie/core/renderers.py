"""The form renderer: Django's, except that dropdowns are written out in Python.

Django renders a ``<select>`` through three templates and includes two of them once per option; a
list page's filter form (118 regions, parks, units) or a form with a few hundred options spent most
of its time there (issue 16, item 6: ~20% of a list page, ~95% of an add form before the pickers).
The HTML is the one Django's ``select.html``, ``select_option.html`` and ``attrs.html`` write: same
attributes in the same order, values and labels escaped the same way."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def render_select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name", OPTION) != OPTION:
                return ""  # a custom option template: let Django render it
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                         f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and "widget" in context:
            html = render_select(context["widget"])
            if html:
                return mark_safe(html)  # noqa: S308 - every name, value and label escaped above
        return super().render(template_name, context, request)
