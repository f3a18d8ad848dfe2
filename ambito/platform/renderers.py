"""The form renderer: Django's, with its commonest widget templates written in Python.

A grid or a filter bar renders tens of inputs and hundreds of <option>s; through the
template engine each costs about 0,1 ms (an include per input, two per option). These
functions write the same markup as Django's templates (tests/ambito/test_renderers.py
compares the two); every other template, and any project override, goes through the
template engine as before.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime


def escape_testo(value):
    """Django's `escape()` without its lazy-argument wrapper (a third of its cost; a
    grid escapes hundreds of texts): the same markup, a lazy text is read at once."""
    return SafeString(html.escape(str(value)))


def _text(value):
    """`{{ value }}`: localized, then escaped unless already safe."""
    if type(value) is str:  # a plain text: nothing to localize, not safe yet
        return SafeString(html.escape(value))
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _string(value):
    """`{{ value|stringformat:'s' }}`: not localized; escaped unless already safe."""
    return value if isinstance(value, SafeData) else escape_testo(value)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget):
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(widget):
    return (
        f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        # Each option is an include of select_option.html, with its final newline.
        parts += (f"\n  {_option(option)}\n" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _plain_options(widget):
    return all(
        option["template_name"] == OPTION
        for _g, options, _i in widget["optgroups"]
        for option in options
    )


OPTION = "django/forms/widgets/select_option.html"
_INPUTS = "checkbox color date datetime email hidden input number password search tel text time url"
WRITERS = {f"django/forms/widgets/{name}.html": _input for name in _INPUTS.split()} | {
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    OPTION: _option,
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        widget = context.get("widget")
        if (
            writer is None
            or set(context) != {"widget"}
            or (writer is _select and not _plain_options(widget))
        ):
            return super().render(template_name, context, request)
        return mark_safe(writer(widget).strip())
