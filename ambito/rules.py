"""Who may do what: the roles of Zonale as django-rules predicates, written once.

Row scoping stays in the querysets (`visible_to` / `editable_by`, ambito/platform/querysets.py):
it decides which rows a user sees (others answer 404). The predicates below decide
what he may do with a row he sees (otherwise 403). Each app's `rules.py` names its
actions with them (`add_perm("indicatori.approva_valore", is_ufficio_piano_di)`), and
pages, API viewsets and templates ask `user.has_perm(name, obj)`.

The capabilities of each role are the three sets below, read by the predicates and by
the querysets alike: a new role is one line here (the Regione, read-only over every
Ambito of its region and every approved value, is in four sets).
Superusers pass every rule (Django's `has_perm` grants them everything).

Rule names are `<app>.<verbo>_<modello>` in Italian (`crea_progetto`,
`modifica_progetto`): they never collide with Django's model permissions
(`add_progetto`...), which stay for the admin.
"""

import rules

from .choices import Ruolo
from .roles import ruoli

#: Writes everything of the Ambiti of its Incarico, approves values, closes periods.
GESTISCE_AMBITO = frozenset({Ruolo.UFFICIO_PIANO})
#: Reads every row of its Ambiti (all Comuni) and the reports.
LEGGE_AMBITO = frozenset({Ruolo.UFFICIO_PIANO, Ruolo.REVISORE, Ruolo.REGIONE})
#: Reads the audit trail, which shows every change, drafts included: not the Regione,
#: which reads approved values only.
LEGGE_REGISTRO = frozenset({Ruolo.UFFICIO_PIANO, Ruolo.REVISORE})
#: Its Incarico in one Ambito reaches every Ambito of the same `regione`.
ESTESO_ALLA_REGIONE = frozenset({Ruolo.REGIONE})
#: Of the rows a model marks as work in progress (`scope_solo_approvati`, e.g. a value
#: not yet approved), reads only the approved ones.
LEGGE_SOLO_APPROVATI = frozenset({Ruolo.REGIONE})
#: Reads the regional dashboard of the regions of its Ambiti.
LEGGE_REGIONE = frozenset({Ruolo.REGIONE})
#: Reads the Ambito-level rows and writes the rows of the Comune of its Incarico.
SCRIVE_COMUNE = frozenset({Ruolo.OPERATORE})


def perm_name(model, verbo: str) -> str:
    """The rule name of an action on a model, e.g. `fondi.modifica_progetto`."""
    return f"{model._meta.app_label}.{verbo}_{model._meta.model_name}"


def _attivo(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _incarichi(user, ruoli_cercati):
    if not _attivo(user):
        return []
    return [i for i in ruoli(user).incarichi if i.ruolo in ruoli_cercati]


def ambito_id_of(obj):
    """The id of the Ambito a row belongs to, following its model's `scope_ambito`.

    Views pass rows with their path already loaded (select_related), so this reads
    attributes, not the database.
    """
    path = getattr(obj, "scope_ambito", None)
    if path is None:
        return obj.pk  # an Ambito
    *via, last = path.split("__")
    for name in via:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def _comune_id_of(obj):
    if obj._meta.model_name == "comune":
        return obj.pk
    return getattr(obj, "comune_id", None)


# --- Roles, anywhere -------------------------------------------------------------------


@rules.predicate
def is_ufficio_piano(user):
    """Ufficio di Piano of at least one Ambito (creating: the form offers its Ambiti)."""
    return bool(_incarichi(user, GESTISCE_AMBITO))


@rules.predicate
def legge_ambito(user):
    """Reads a whole Ambito somewhere: Ufficio di Piano or Revisore."""
    return bool(_incarichi(user, LEGGE_AMBITO))


@rules.predicate
def legge_registro(user):
    """Reads the audit trail: Ufficio di Piano or Revisore."""
    return bool(_incarichi(user, LEGGE_REGISTRO))


@rules.predicate
def is_revisore(user):
    return bool(_incarichi(user, {Ruolo.REVISORE}))


@rules.predicate
def legge_regione(user):
    """Reads the regional dashboard (Regione)."""
    return bool(_incarichi(user, LEGGE_REGIONE))


@rules.predicate
def is_operatore(user):
    return bool(_incarichi(user, SCRIVE_COMUNE))


# --- Roles in the Ambito (or Comune) of a row: no query ---------------------------------


@rules.predicate
def is_ufficio_piano_di(user, obj):
    """Ufficio di Piano of the row's Ambito."""
    if obj is None:
        return False
    ambito_id = ambito_id_of(obj)
    return any(i.ambito_id == ambito_id for i in _incarichi(user, GESTISCE_AMBITO))


@rules.predicate
def legge_ambito_di(user, obj):
    """Ufficio di Piano or Revisore of the row's Ambito."""
    if obj is None:
        return False
    ambito_id = ambito_id_of(obj)
    return any(i.ambito_id == ambito_id for i in _incarichi(user, LEGGE_AMBITO))


@rules.predicate
def is_operatore_di(user, obj):
    """Operatore of the row's Comune (a Comune, or a row of one)."""
    if obj is None:
        return False
    comune_id = _comune_id_of(obj)
    return comune_id is not None and any(
        i.comune_id == comune_id for i in _incarichi(user, SCRIVE_COMUNE)
    )


@rules.predicate
def scrive_nell_ambito(user, obj):
    """Operatore of at least one Comune of the row's Ambito."""
    if obj is None:
        return False
    ambito_id = ambito_id_of(obj)
    return any(i.ambito_id == ambito_id for i in _incarichi(user, SCRIVE_COMUNE))


# --- Row scoping, as predicates (one query each) ----------------------------------------


@rules.predicate
def in_scope(user, obj):
    """The row is in `visible_to(user)`."""
    if obj is None or not _attivo(user):
        return False
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()


@rules.predicate
def can_edit_object(user, obj):
    """The row is in `editable_by(user)`."""
    if obj is None or not _attivo(user):
        return False
    return type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()


# --- The ambito app's actions ------------------------------------------------------------

rules.add_perm("ambito.crea_comune", is_ufficio_piano)
rules.add_perm("ambito.modifica_comune", can_edit_object)
# obj: the Comune whose yearly figures are added.
rules.add_perm("ambito.crea_datidemografici", is_ufficio_piano_di | is_operatore_di)
rules.add_perm("ambito.modifica_datidemografici", can_edit_object)
rules.add_perm("ambito.consulta_registro", legge_registro)


# --- Users and roles of an Ambito (pages under /utenti/) ---------------------------------


@rules.predicate
def gestisce_utente(user, target):
    """The target user holds an Incarico in an Ambito of which the user is Ufficio di
    Piano, and is not the user himself (nobody manages his own roles or account)."""
    if target is None or not _attivo(user) or target.pk == user.pk:
        return False
    ambiti = {i.ambito_id for i in _incarichi(user, GESTISCE_AMBITO)}
    return bool(ambiti) and target.incarichi.filter(ambito_id__in=ambiti).exists()


@rules.predicate
def incarico_di_altri(user, incarico):
    """An Incarico of somebody else (nobody gives or takes away his own roles)."""
    return incarico is not None and incarico.user_id != user.pk


# The list and the invitation: the Ufficio di Piano (the list shows his Ambiti' users).
rules.add_perm("ambito.gestisce_utenti", is_ufficio_piano)
rules.add_perm("ambito.modifica_utente", gestisce_utente)
# obj: the Incarico to give or take away (its Ambito decides).
rules.add_perm("ambito.assegna_incarico", is_ufficio_piano_di & incarico_di_altri)
rules.add_perm("ambito.revoca_incarico", is_ufficio_piano_di & incarico_di_altri)
# Setting up a new Ambito and its Comuni: the superuser only (who passes every rule).
rules.add_perm("ambito.crea_ambito", rules.is_superuser)
rules.add_perm("ambito.modifica_ambito", rules.is_superuser)
# obj: the Ambito whose residents are loaded from an ISTAT file.
rules.add_perm("ambito.carica_popolazione", is_ufficio_piano_di)
# obj: the Ambito. Large exports (values, audit trail) as jobs: who reads the whole Ambito.
rules.add_perm("ambito.esporta_dati", legge_ambito_di)
# obj: the Ambito. When its Operatori are reminded of the deadlines.
rules.add_perm("ambito.modifica_calendariopromemoria", is_ufficio_piano_di)
# The regional dashboard and its API (the superuser sees every region).
rules.add_perm("ambito.consulta_regione", legge_regione)
# Asking for the regional dashboard's PDF (a job, the user's own report).
rules.add_perm("ambito.genera_pdf_regione", legge_regione)
