"""The one scoping mechanism of Zonale.

Every model whose rows belong to an Ambito uses `ScopedQuerySet` and declares, once,
the ORM path from itself to its Ambito (`scope_ambito`) and, for rows that belong to
a single Comune, the path to that Comune (`scope_comune`). Pages, API viewsets, form
choice lists and reports all call `visible_to(user)` / `editable_by(user)`.

The rules, failing closed (no membership means nothing); which role reads or writes
what is the three sets of ambito/rules.py:
- superuser: everything;
- Ufficio di Piano: reads and writes everything of its Ambiti;
- Revisore: reads everything of its Ambiti, writes nothing;
- Regione: reads everything of every Ambito of its region, but of the rows a model
  marks as work in progress (`scope_solo_approvati`) only the approved; writes nothing;
- Operatore comunale: reads the Ambito-level rows of his Ambito and the Comune-level
  rows of his own Comune only; writes only Comune-level rows of his Comune, and only
  on models that allow it (`scope_operatore_edit`).
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from ambito.choices import Ruolo
from ambito.platform.compilate import Compilata
from ambito.roles import ruoli
from ambito.rules import GESTISCE_AMBITO, LEGGE_AMBITO, LEGGE_SOLO_APPROVATI, SCRIVE_COMUNE


def _ids(user, ruoli_cercati, attributo="ambito_id"):
    """Ids of the Ambiti (or Comuni) where the user holds one of the roles.

    Read from the user's roles, loaded once per request (`ambito.roles.ruoli`): every
    scoped query of a request shares that one lookup, and a list of ids compiles and
    plans faster than a subquery on the Incarichi.
    """
    return sorted(
        {
            getattr(incarico, attributo)
            for incarico in ruoli(user).incarichi
            if incarico.ruolo in ruoli_cercati and getattr(incarico, attributo) is not None
        }
    )


def ambiti_of(user, *ruoli_cercati):
    """The ids of the Ambiti where the user holds one of the roles."""
    return _ids(user, ruoli_cercati)


def comuni_of(user):
    """The ids of the Comuni whose rows the user writes (Operatore)."""
    return _ids(user, SCRIVE_COMUNE, "comune_id")


@dataclass(frozen=True, slots=True)
class Visibili:
    """What a user reads of a model, as ids (`ScopedQuerySet.visibili`): the Ambiti
    whose rows he reads whole, the Ambiti whose approved rows only he reads, the
    Comuni whose rows he reads (his own), and, for a model that widens what it shows
    (a project read by its partner Ambiti), the Ambiti whose partnerships do. With
    `approvati`, `approvato`: the values of the model's approved rows, in the order of
    its `scope_solo_approvati` (parameters of a compiled query, as the ids)."""

    ambiti: list[int]
    approvati: list[int]
    comuni: list[int]
    partner: list[int] = field(default_factory=list)
    approvato: list[str] = field(default_factory=list)


def _is_anonymous(user):
    return user is None or not user.is_authenticated or not user.is_active


class ScopedQuerySet(models.QuerySet):
    def _paths(self):
        model = self.model
        return getattr(model, "scope_ambito", None), getattr(model, "scope_comune", None)

    def _ambito_q(self, path, ids):
        return Q(**{f"{path}__in": ids}) if path else Q(pk__in=ids)

    def visible_to(self, user):
        if _is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self.condizione(self.visibili(user)))

    def visibili(self, user) -> Visibili:
        """The ids from the user (neither anonymous nor superuser) that decide which
        rows of this model he reads: `condizione` makes them the rule's condition."""
        _ambito_path, comune_path = self._paths()
        # A model with Comune rows: the Operatore reads those of his Comune only.
        lettori = set(Ruolo.values) if comune_path is None else set(LEGGE_AMBITO)
        # Where the model says which rows are approved, some roles read only those.
        ridotti = set()
        if getattr(self.model, "scope_solo_approvati", None) is not None:
            ridotti = lettori & LEGGE_SOLO_APPROVATI
        approvati = ambiti_of(user, *ridotti)
        return Visibili(
            ambiti=ambiti_of(user, *(lettori - ridotti)),
            approvati=approvati,
            comuni=[] if comune_path is None else comuni_of(user),
            approvato=[str(v) for v in self.model.scope_solo_approvati.values()]
            if approvati
            else [],
        )

    def condizione(self, visibili: Visibili) -> Q:
        """The condition from the ids (`visibili`): the rows of its Ambiti, the approved
        rows of its Ambiti read approved-only, the rows of its Comuni."""
        ambito_path, comune_path = self._paths()
        condition = self._ambito_q(ambito_path, visibili.ambiti)
        if visibili.approvati:
            approvato = dict(zip(self.model.scope_solo_approvati, visibili.approvato, strict=True))
            condition |= self._ambito_q(ambito_path, visibili.approvati) & Q(**approvato)
        if comune_path is not None:
            condition |= Q(**{f"{comune_path}__in": visibili.comuni})
        return condition

    def _per_intero(self) -> bool:
        """Whether every role reads all the rows of its Ambiti (no Comune rows, no rows
        only some roles read): then what a user sees is a list of Ambiti."""
        return (
            self._paths()[1] is None
            and getattr(self.model, "scope_solo_approvati", None) is None
            and type(self).condizione is ScopedQuerySet.condizione  # nor partner rows
        )

    def ambiti_letti_per_intero(self, user) -> list[int] | None:
        """The ids of the Ambiti whose rows `visible_to(user)` reads, when that is all
        it does (`nei_ambiti` of them): a query compiled once (`Compilata`) takes them
        as its parameter. None for the superuser, the anonymous, and a model whose
        visibility is not a list of Ambiti."""
        if _is_anonymous(user) or user.is_superuser or not self._per_intero():
            return None
        if type(self).visible_to is not ScopedQuerySet.visible_to:
            return None  # a model that widens it (the partners of a candidature)
        return self.visibili(user).ambiti

    def nei_ambiti(self, ambito_ids):
        """The rows of these Ambiti."""
        ambito_path, _comune_path = self._paths()
        return self.filter(self._ambito_q(ambito_path, ambito_ids))

    def nell_ambito(self, ambito_id):
        """The rows of one Ambito (after `visible_to`: a file about one Ambito)."""
        return self.nei_ambiti([ambito_id])

    def editable_by(self, user):
        if _is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        ambito_path, comune_path = self._paths()
        condition = self._ambito_q(ambito_path, ambiti_of(user, *GESTISCE_AMBITO))
        if comune_path is not None and getattr(self.model, "scope_operatore_edit", False):
            condition |= Q(**{f"{comune_path}__in": comuni_of(user)})
        return self.filter(condition)

    def can_create(self, user, *, ambito_id, comune_id=None) -> bool:
        """Whether the user may add a row of this model in that Ambito (and Comune)."""
        if _is_anonymous(user):
            return False
        if user.is_superuser:
            return True
        operatore = comune_id is not None and getattr(self.model, "scope_operatore_edit", False)
        return any(
            (incarico.ruolo in GESTISCE_AMBITO and incarico.ambito_id == ambito_id)
            or (operatore and incarico.ruolo in SCRIVE_COMUNE and incarico.comune_id == comune_id)
            for incarico in ruoli(user).incarichi
        )


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class CompilataVisibile:
    """A query of fixed shape over the rows of a model that a user reads, compiled once
    per shape (`Compilata`): `costruisci(visibili, *valori)` narrows `visibili`, the
    rows under `visible_to`'s own condition (`condizione`), whose ids (`Visibili`, the
    partner Ambiti too) are parameters of the compiled query; `.righe(user, *valori)`
    runs it for that user."""

    def __init__(self, modello, costruisci):
        righe = modello._default_manager.all()
        if type(righe).visible_to is not ScopedQuerySet.visible_to:
            raise TypeError(f"{modello.__name__} widens visible_to: not a list of ids")
        self._righe, self._costruisci = righe, costruisci
        self._dell_utente = Compilata(
            modello,
            lambda ambiti, approvati, comuni, partner, approvato, *valori: costruisci(
                righe.filter(
                    righe.condizione(Visibili(ambiti, approvati, comuni, partner, approvato))
                ),
                *valori,
            ),
        )
        self._tutte = Compilata(modello, lambda *valori: costruisci(righe.all(), *valori))

    def righe(self, user, *valori, pagina=None) -> list[tuple]:
        """The rows for the user and these values (`pagina`: a page of them, as in
        `Compilata.righe`)."""
        if _is_anonymous(user):
            return []
        if user.is_superuser:
            return self._tutte.righe(*valori, pagina=pagina)
        visibili = self._righe.visibili(user)
        return self._dell_utente.righe(
            visibili.ambiti,
            visibili.approvati,
            visibili.comuni,
            visibili.partner,
            visibili.approvato,
            *valori,
            pagina=pagina,
        )
