"""Scoping of projects: the lead Ambito owns them, the partner Ambiti read them.

A project (and its funding amounts and progress snapshots) follows the common
`ScopedQuerySet` rules for the lead Ambito (`scope_ambito`), and is also readable by
every user of a partner Ambito. Writing stays with the lead Ambito's Ufficio di Piano:
`editable_by` and `can_create` are the common ones.
"""

from django.apps import apps

from ambito.choices import Ruolo
from ambito.platform.querysets import ScopedManager, ScopedQuerySet, ambiti_of


class ProgettoScopedQuerySet(ScopedQuerySet):
    """Models set `scope_progetto`: the path to their Progetto ("" for Progetto itself)."""

    def _partner_lookup(self):
        path = self.model.scope_progetto
        return f"{path}__in" if path else "pk__in"

    def visible_to(self, user):
        visible = super().visible_to(user)
        if user is None or not user.is_authenticated or not user.is_active:
            return visible  # already empty: fail closed
        if user.is_superuser:
            return visible
        partecipazioni = apps.get_model("fondi", "Progetto").ambiti_partner.through.objects
        come_partner = partecipazioni.filter(ambito_id__in=ambiti_of(user, *Ruolo.values)).values(
            "progetto_id"
        )
        # One WHERE (lead OR partner) with a subquery: no join, so no duplicate rows.
        return visible | self.filter(**{self._partner_lookup(): come_partner})


class ProgettoScopedManager(ScopedManager.from_queryset(ProgettoScopedQuerySet)):
    pass
