"""The one scoping mechanism of Zonale.

Every model whose rows belong to an Ambito uses `ScopedQuerySet` and declares, once,
the ORM path from itself to its Ambito (`scope_ambito`) and, for rows that belong to
a single Comune, the path to that Comune (`scope_comune`). Pages, API viewsets, form
choice lists and reports all call `visible_to(user)` / `editable_by(user)`.

The rules, failing closed (no membership means nothing):
- superuser: everything;
- Ufficio di Piano: reads and writes everything of its Ambiti;
- Revisore: reads everything of its Ambiti, writes nothing;
- Operatore comunale: reads the Ambito-level rows of his Ambito and the Comune-level
  rows of his own Comune only; writes only Comune-level rows of his Comune, and only
  on models that allow it (`scope_operatore_edit`).
"""

from django.db import models
from django.db.models import Q

from .choices import Ruolo


def _incarichi(user, *ruoli):
    from .models import Incarico

    return Incarico.objects.filter(user=user, ruolo__in=ruoli)


def ambiti_of(user, *ruoli):
    """Subquery of the ids of the Ambiti where the user holds one of the roles."""
    return _incarichi(user, *ruoli).values("ambito_id")


def comuni_of(user):
    """Subquery of the ids of the Comuni where the user is Operatore."""
    return _incarichi(user, Ruolo.OPERATORE).values("comune_id")


def _is_anonymous(user):
    return user is None or not user.is_authenticated or not user.is_active


class ScopedQuerySet(models.QuerySet):
    def _paths(self):
        model = self.model
        return getattr(model, "scope_ambito", None), getattr(model, "scope_comune", None)

    def _ambito_q(self, path, subquery):
        return Q(**{f"{path}__in": subquery}) if path else Q(pk__in=subquery)

    def visible_to(self, user):
        if _is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        ambito_path, comune_path = self._paths()
        condition = self._ambito_q(
            ambito_path, ambiti_of(user, Ruolo.UFFICIO_PIANO, Ruolo.REVISORE)
        )
        if comune_path is None:
            condition |= self._ambito_q(ambito_path, ambiti_of(user, Ruolo.OPERATORE))
        else:
            condition |= Q(**{f"{comune_path}__in": comuni_of(user)})
        return self.filter(condition)

    def editable_by(self, user):
        if _is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        ambito_path, comune_path = self._paths()
        condition = self._ambito_q(ambito_path, ambiti_of(user, Ruolo.UFFICIO_PIANO))
        if comune_path is not None and getattr(self.model, "scope_operatore_edit", False):
            condition |= Q(**{f"{comune_path}__in": comuni_of(user)})
        return self.filter(condition)

    def can_create(self, user, *, ambito_id, comune_id=None) -> bool:
        """Whether the user may add a row of this model in that Ambito (and Comune)."""
        if _is_anonymous(user):
            return False
        if user.is_superuser:
            return True
        incarichi = _incarichi(user, Ruolo.UFFICIO_PIANO, Ruolo.OPERATORE)
        condition = Q(ruolo=Ruolo.UFFICIO_PIANO, ambito_id=ambito_id)
        if comune_id is not None and getattr(self.model, "scope_operatore_edit", False):
            condition |= Q(ruolo=Ruolo.OPERATORE, comune_id=comune_id)
        return incarichi.filter(condition).exists()


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
