from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def si_no(value):
    """True -> 'Sì', False -> 'No', None -> 'Non indicato'."""
    if value is True:
        return _("Sì")
    if value is False:
        return _("No")
    return _("Non indicato")
