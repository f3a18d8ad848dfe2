"""Scoping of projects: the lead Ambito owns them, the partner Ambiti read them.

A project (and its funding amounts and progress snapshots) follows the common
`ScopedQuerySet` rules for the lead Ambito (`scope_ambito`), and is also readable by
every user of a partner Ambito. Writing stays with the lead Ambito's Ufficio di Piano:
`editable_by` and `can_create` are the common ones.
"""

from dataclasses import replace
from functools import lru_cache

from django.apps import apps
from django.db.models import Q

from ambito.choices import Ruolo
from ambito.platform.querysets import ScopedManager, ScopedQuerySet, Visibili, ambiti_of


class ProgettoScopedQuerySet(ScopedQuerySet):
    """Models set `scope_progetto`: the path to their Progetto ("" for Progetto itself).

    `visible_to` is the common one, its condition widened here (`condizione`) by the
    ids of the Ambiti whose partnerships the user reads (`Visibili.partner`): a list
    of ids like the others, so a query over the visible rows can be compiled once
    (`CompilataVisibile`)."""

    def visibili(self, user) -> Visibili:
        return replace(super().visibili(user), partner=ambiti_of(user, *Ruolo.values))

    def condizione(self, visibili: Visibili) -> Q:
        condition = super().condizione(visibili)
        if not visibili.partner:
            return condition
        path = self.model.scope_progetto
        partecipazioni = apps.get_model("fondi", "Progetto").ambiti_partner.through.objects
        come_partner = partecipazioni.filter(ambito_id__in=visibili.partner).values("progetto_id")
        # One WHERE (lead OR partner) with a subquery: no join, so no duplicate rows.
        return condition | Q(**{f"{path}__in" if path else "pk__in": come_partner})


class ProgettoScopedManager(ScopedManager.from_queryset(ProgettoScopedQuerySet)):
    pass


class FondoQuerySet(ScopedQuerySet):
    """Funding sources and lines: the national tree (no `ambito`) is reference data that
    everybody reads and only the superuser writes; a source or line of an Ambito's own
    (`ambito` set: PON Metro, a regional call, a foundation grant) is read by that
    Ambito and by the Ambiti partner in its projects or candidatures, and written by
    its Ufficio di Piano."""

    def visible_to(self, user):
        mie = self.ambiti_letti(user)
        if mie is not None:
            return self.dei_ambiti(mie)
        return self.all() if user is not None and user.is_superuser else self.none()

    def ambiti_letti(self, user) -> list[int] | None:
        """The Ambiti of the user's roles: `visible_to(user)` is `dei_ambiti` of them
        (a query compiled once takes them as its parameter). None for the anonymous,
        the inactive and the superuser."""
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return None if user.is_superuser else ambiti_of(user, *Ruolo.values)

    def dei_ambiti(self, mie):
        """The rows a user of the Ambiti `mie` reads."""
        return self.filter(_fondi_visibili(tuple(mie)))

    # editable_by is the common one: the national rows (ambito null) match no list of
    # ids, so only the superuser writes them.


@lru_cache(maxsize=256)
def _fondi_visibili(mie: tuple[int, ...]) -> Q:
    """The condition of `FondoQuerySet.visible_to` for a user of the Ambiti `mie`: the
    national rows, the Ambiti's own, and those of the lead Ambiti of the projects and
    candidatures where they are partners. Built once per set of Ambiti (a page filters
    two lists with it): filter() resolves copies of its subqueries, never the originals."""
    progetti = apps.get_model("fondi", "Progetto")
    partecipazioni = apps.get_model("fondi", "PartecipazioneCandidatura")
    mie = list(mie)
    capofila_progetti = progetti.ambiti_partner.through.objects.filter(ambito_id__in=mie).values(
        "progetto__ambito_id"
    )
    capofila_candidature = partecipazioni.objects.filter(ambito_id__in=mie).values(
        "candidatura__ambito_id"
    )
    return (
        Q(ambito__isnull=True)
        | Q(ambito_id__in=mie)
        | Q(ambito_id__in=capofila_progetti)
        | Q(ambito_id__in=capofila_candidature)
    )


class FondoManager(ScopedManager.from_queryset(FondoQuerySet)):
    pass


class CandidaturaScopedQuerySet(ScopedQuerySet):
    """Candidatures (and their rows, `scope_candidatura` = path to the candidature):
    the capofila Ambito owns them, the partner Ambiti read them."""

    def visible_to(self, user):
        visible = super().visible_to(user)
        if user is None or not user.is_authenticated or not user.is_active:
            return visible
        if user.is_superuser:
            return visible
        partecipazioni = apps.get_model("fondi", "PartecipazioneCandidatura").objects
        come_partner = partecipazioni.filter(ambito_id__in=ambiti_of(user, *Ruolo.values)).values(
            "candidatura_id"
        )
        path = self.model.scope_candidatura
        lookup = f"{path}__in" if path else "pk__in"
        return visible | self.filter(**{lookup: come_partner})


class CandidaturaScopedManager(ScopedManager.from_queryset(CandidaturaScopedQuerySet)):
    pass
