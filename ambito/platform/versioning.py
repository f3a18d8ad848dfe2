"""Optimistic concurrency: a `versione` on every row the API writes.

The API answers each detail with `ETag: "<versione>"` and honours `If-Match` on writes
(ambito/platform/api/viewsets.py); the save services raise the version by one at each
change (`version_bump`, called by `instance_save`), so a client that read an older
version gets 412 instead of overwriting someone else's change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    versione = models.PositiveIntegerField(
        _("versione"),
        default=1,
        editable=False,
        help_text=_("Aumenta di uno a ogni modifica: è l'ETag dell'elemento nell'API."),
    )

    class Meta:
        abstract = True


def version_bump(instance) -> None:
    """Raise the version of a changed row (a new row starts at 1)."""
    if not isinstance(instance, Versioned):
        return
    if instance._state.adding or not instance.pk:
        instance.versione = instance.versione or 1
    else:
        instance.versione = (instance.versione or 0) + 1
