"""Reads of the audit trail, scoped like the live rows.

Historical rows carry the same fields and foreign keys as the live rows, so the
model's `scope_ambito` / `scope_comune` paths filter them with the same rules, and
the history of a deleted record stays visible to whoever could see it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import (
    CharField,
    Count,
    F,
    ForeignKey,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from ambito.rules import LEGGE_AMBITO

from ..querysets import ScopedQuerySet
from .registry import PER_PAGINA, TIPI, Tracciato, registro

# --- Who sees what --------------------------------------------------------------------


def puo_consultare(user) -> bool:
    """The trail is for the Ufficio di Piano and the Revisori (ambito/rules.py)."""
    return user.has_perm("ambito.consulta_registro")


def _on_history(path, pk_name):
    """A live model's scope path, valid on its history table ("pk" is not the same)."""
    if path is None:
        return None
    head, _sep, rest = path.partition("__")
    if head == "pk":
        head = pk_name
    return f"{head}__{rest}" if rest else head


class _StoricoScopedQuerySet(ScopedQuerySet):
    """ScopedQuerySet's rules, read through the live model's declared scope paths."""

    def _paths(self):
        live = self.model.instance_type
        pk_name = live._meta.pk.attname
        return (
            _on_history(getattr(live, "scope_ambito", None), pk_name),
            _on_history(getattr(live, "scope_comune", None), pk_name),
        )

    def _ambito_q(self, path, subquery):
        return super()._ambito_q(path or self.model.instance_type._meta.pk.attname, subquery)


def _usa_scope_paths(model) -> bool:
    """Whether the model is scoped by ScopedQuerySet's own rules (not a custom visible_to)."""
    queryset_class = type(model._default_manager.get_queryset())
    return (
        issubclass(queryset_class, ScopedQuerySet)
        and queryset_class.visible_to is ScopedQuerySet.visible_to
    )


def storico_visibile(tracciato: Tracciato, user):
    """The historical rows of one model that the user may read."""
    storico = tracciato.storico
    if not puo_consultare(user):
        return storico.objects.none()
    model = tracciato.model
    if model is get_user_model():
        # People: the members of the viewer's Ambiti, never the users of other Ambiti.
        return storico.objects.filter(id__in=utenti_visibili(user).values("pk"))
    if _usa_scope_paths(model):
        return _StoricoScopedQuerySet(model=storico).visible_to(user)
    if hasattr(model._default_manager, "visible_to"):
        # A model with its own visibility rules: the history of the records the user
        # sees now (the history of deleted records stays with the superuser).
        visibili = model._default_manager.visible_to(user).values("pk")
        return storico.objects.filter(**{f"{tracciato.pk_name}__in": visibili})
    return storico.objects.all()  # national reference data, readable by everyone


def utenti_visibili(user):
    """Users whose page the viewer may open: members of his Ambiti (all for superusers)."""
    from ambito.models import Incarico

    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    ambiti = Incarico.objects.filter(user=user, ruolo__in=LEGGE_AMBITO).values("ambito_id")
    return users.filter(incarichi__ambito_id__in=ambiti).distinct()


# --- Reads ---------------------------------------------------------------------------


def _storici_filtrati(
    user, *, tracciati=None, autore=None, tipo=None, dal=None, al=None, ambito_id=None
):
    """(tracciato, historical rows the user may read, filtered) for every tracked model.

    With `ambito_id`, only the changes of that Ambito's rows (models scoped by their
    path to an Ambito; national reference data and other models left out).
    """
    for tracciato in tracciati or registro().values():
        qs = storico_visibile(tracciato, user).order_by()
        if ambito_id is not None:
            if not _usa_scope_paths(tracciato.model):
                continue
            qs = qs.nell_ambito(ambito_id)
        if autore is not None:
            qs = qs.filter(history_user=autore)
        if tipo:
            qs = qs.filter(history_type=tipo)
        if dal:
            qs = qs.filter(history_date__gte=_inizio_giorno(dal))
        if al:
            qs = qs.filter(history_date__lt=_inizio_giorno(al + datetime.timedelta(days=1)))
        yield tracciato, qs


def modifiche(user, **filtri):
    """Changes visible to the user, newest first, as rows of one UNION query.

    Each row: history_id, history_date, history_type, history_user_id, modello,
    oggetto_id (the per-user page asks whether any exists).
    """
    parti = [
        qs.annotate(
            modello=Value(tracciato.chiave, output_field=CharField()),
            oggetto_id=F(tracciato.pk_name),
        ).values(
            "history_id",
            "history_date",
            "history_type",
            "history_user_id",
            "modello",
            "oggetto_id",
        )
        for tracciato, qs in _storici_filtrati(user, **filtri)
    ]
    if not parti:
        return registro()["ambito.ambito"].storico.objects.none().values("history_id")
    primo, *altri = parti
    righe = primo.union(*altri, all=True) if altri else primo
    return righe.order_by("-history_date", "-history_id")


def operazioni(user, **filtri):
    """Operations visible to the user, newest first, grouped in SQL (one UNION query).

    One operation = the history rows of one kind of record written with the same author,
    type and instant. A single save is an operation of one row; the services that write
    many rows at once (e.g. "Approva tutti") give all of them one instant
    (simple-history's `default_date`), so a bulk approval is one operation.
    Each row: modello, history_date, history_user_id, history_type, righe, ultimo_id.
    """
    parti = [
        qs.values("history_date", "history_user_id", "history_type")
        .annotate(
            righe=Count("history_id"),
            ultimo_id=Max("history_id"),
            modello=Value(tracciato.chiave, output_field=CharField()),
        )
        .values("history_date", "history_user_id", "history_type", "righe", "ultimo_id", "modello")
        for tracciato, qs in _storici_filtrati(user, **filtri)
    ]
    if not parti:
        return registro()["ambito.ambito"].storico.objects.none().values("history_id")
    primo, *altri = parti
    gruppi = primo.union(*altri, all=True) if altri else primo
    return gruppi.order_by("-history_date", "-ultimo_id")


def _inizio_giorno(giorno: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(giorno, datetime.time.min))


@dataclass
class Modifica:
    campo: str
    prima: str
    dopo: str


@dataclass
class Voce:
    """One entry of the trail: a version of a record, with what changed in it."""

    tracciato: Tracciato
    record: object
    etichetta: str
    modifiche: list[Modifica] = field(default_factory=list)

    @property
    def oggetto_id(self):
        return getattr(self.record, self.tracciato.pk_name)

    @property
    def data(self):
        return self.record.history_date

    @property
    def tipo(self):
        return TIPI.get(self.record.history_type, self.record.history_type)

    @property
    def utente(self):
        return self.record.history_user

    @property
    def motivo(self):
        return self.record.history_change_reason

    @property
    def url_oggetto(self):
        return reverse("registro:oggetto", args=[self.tracciato.chiave, self.oggetto_id])


@dataclass
class Operazione:
    """Rows one operation wrote: a single change, or e.g. a bulk approval of many values."""

    tracciato: Tracciato
    data: datetime.datetime
    history_type: str
    righe: int
    voci: list[Voce] = field(default_factory=list)

    @property
    def tipo(self):
        return TIPI.get(self.history_type, self.history_type)

    @property
    def utente(self):
        return self.voci[0].utente if self.voci else None

    @property
    def motivo(self):
        motivi = {v.motivo for v in self.voci}
        return motivi.pop() if len(motivi) == 1 else None

    @property
    def prima(self) -> Voce | None:
        return self.voci[0] if self.voci else None


def _chiave_gruppo(modello, data, user_id, history_type):
    return (modello, data, user_id, history_type)


def dettaglia_operazioni(user, gruppi) -> list[Operazione]:
    """Full operations for rows of `operazioni()`: their changes fetched a few queries per
    kind of record on the page, not per operation or per row."""
    operazioni_ = []
    per_modello: dict[str, Q] = {}
    per_chiave = {}
    for g in gruppi:
        tracciato = registro()[g["modello"]]
        op = Operazione(
            tracciato=tracciato,
            data=g["history_date"],
            history_type=g["history_type"],
            righe=g["righe"],
        )
        operazioni_.append(op)
        chiave = _chiave_gruppo(
            g["modello"], g["history_date"], g["history_user_id"], g["history_type"]
        )
        per_chiave[chiave] = op
        autore = (
            Q(history_user_id=g["history_user_id"])
            if g["history_user_id"] is not None
            else Q(history_user__isnull=True)
        )
        condizione = Q(history_date=g["history_date"], history_type=g["history_type"]) & autore
        per_modello[g["modello"]] = per_modello.get(g["modello"], Q(pk__in=[])) | condizione
    voci = []
    for chiave_modello, condizione in per_modello.items():
        tracciato = registro()[chiave_modello]
        qs = _con_precedente(tracciato, storico_visibile(tracciato, user).filter(condizione))
        for record in qs.order_by("-history_id"):
            voce = _voce(tracciato, record)
            chiave = _chiave_gruppo(
                chiave_modello, record.history_date, record.history_user_id, record.history_type
            )
            per_chiave[chiave].voci.append(voce)
            voci.append(voce)
    _aggiungi_modifiche(voci, con_m2m=False)
    for op in operazioni_:
        op.voci.sort(key=lambda v: v.etichetta)
    return operazioni_


def dettaglia(righe, *, con_m2m=False) -> list[Voce]:
    """Full entries for rows of `modifiche()`: a few queries per model, not per row."""
    per_modello: dict[str, list[int]] = {}
    for riga in righe:
        per_modello.setdefault(riga["modello"], []).append(riga["history_id"])
    record = {}
    for chiave, ids in per_modello.items():
        tracciato = registro()[chiave]
        qs = _con_precedente(tracciato, tracciato.storico.objects.filter(history_id__in=ids))
        for r in qs:
            record[(chiave, r.history_id)] = (tracciato, r)
    voci = [_voce(*record[(r["modello"], r["history_id"])]) for r in righe]
    _aggiungi_modifiche(voci, con_m2m=con_m2m)
    return voci


def cronologia_oggetto(user, tracciato: Tracciato, pk) -> tuple[object, Paginator]:
    """The versions of one record visible to the user, newest first; 404 if none."""
    versioni = storico_visibile(tracciato, user).filter(**{tracciato.pk_name: pk})
    ultima = versioni.order_by("-history_date", "-history_id").first()
    if ultima is None:
        raise Http404(_("Nessuna modifica registrata visibile per questo elemento."))
    return ultima, Paginator(
        versioni.order_by("-history_date", "-history_id").values_list("history_id", flat=True),
        PER_PAGINA,
    )


def voci_oggetto(tracciato: Tracciato, history_ids) -> list[Voce]:
    qs = _con_precedente(tracciato, tracciato.storico.objects.filter(history_id__in=history_ids))
    voci = [_voce(tracciato, r) for r in qs.order_by("-history_date", "-history_id")]
    _aggiungi_modifiche(voci, con_m2m=True)
    return voci


def _campi_fk(storico):
    return [
        f
        for f in storico._meta.fields
        if isinstance(f, ForeignKey) and f.name != "history_user" and f.name in _tracciati(storico)
    ]


def _tracciati(storico):
    return {f.name for f in storico.tracked_fields}


def _con_precedente(tracciato: Tracciato, qs):
    """Historical rows with their related objects and the id of the previous version."""
    storico = tracciato.storico
    pk = tracciato.pk_name
    precedente = (
        storico.objects.filter(**{pk: OuterRef(pk)})
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    fks = [f.name for f in _campi_fk(storico)]
    return qs.select_related("history_user", *fks).annotate(precedente_id=Subquery(precedente))


def _voce(tracciato: Tracciato, record) -> Voce:
    return Voce(tracciato=tracciato, record=record, etichetta=etichetta(tracciato, record))


def etichetta(tracciato: Tracciato, record) -> str:
    """The record's name as it was then, from the row and its already fetched relations."""
    instance = record.instance
    cache_relazioni = {k: v for k, v in record._state.fields_cache.items() if k != "history_user"}
    instance._state.fields_cache.update(cache_relazioni)
    try:
        return str(instance)
    except (ObjectDoesNotExist, AttributeError, TypeError):
        return f"{tracciato.nome} n. {record.history_object.pk}"


def _aggiungi_modifiche(voci: list[Voce], *, con_m2m: bool):
    """Fill each entry's field changes: old -> new, by diff_against the previous version."""
    precedenti = {}
    for tracciato in {v.tracciato for v in voci}:
        ids = [v.record.precedente_id for v in voci if v.tracciato == tracciato]
        ids = [i for i in ids if i is not None]
        if ids:
            for r in tracciato.storico.objects.filter(history_id__in=ids):
                precedenti[(tracciato.chiave, r.history_id)] = r
    grezze = []
    for voce in voci:
        record = voce.record
        if record.history_type == "-":
            grezze.append((voce, []))
            continue
        prima = precedenti.get((voce.tracciato.chiave, record.precedente_id))
        esclusi = {f.name for f in voce.tracciato.campi_m2m()} if not con_m2m else set()
        esclusi.add(voce.tracciato.pk_name)
        esclusi |= voce.tracciato.campi_tecnici
        if prima is None:
            cambi = _valori_iniziali(record, esclusi)
        else:
            cambi = [
                (c.field, c.old, c.new)
                for c in record.diff_against(prima, excluded_fields=esclusi).changes
            ]
        grezze.append((voce, cambi))
    etichette = _etichette_relazioni(grezze)
    for voce, cambi in grezze:
        storico = voce.tracciato.storico
        voce.modifiche = [
            Modifica(
                campo=_nome_campo(voce.tracciato, nome),
                prima=_mostra(voce.tracciato, nome, vecchio, etichette),
                dopo=_mostra(voce.tracciato, nome, nuovo, etichette),
            )
            for nome, vecchio, nuovo in cambi
            if nome in _tracciati(storico) or nome in {f.name for f in voce.tracciato.campi_m2m()}
        ]


def _valori_iniziali(record, esclusi):
    """The first known version: every filled-in field, from nothing to its value."""
    cambi = []
    for f in record.tracked_fields:
        if f.name in esclusi or not f.editable:
            continue
        valore = getattr(record, f.attname)
        if valore not in (None, ""):
            cambi.append((f.name, None, valore))
    return cambi


def _campo_vivo(tracciato: Tracciato, nome):
    return tracciato.model._meta.get_field(nome)


def _nome_campo(tracciato: Tracciato, nome) -> str:
    return capfirst(_campo_vivo(tracciato, nome).verbose_name)


def _modello_collegato(tracciato: Tracciato, nome):
    campo = _campo_vivo(tracciato, nome)
    return campo.related_model if campo.is_relation else None


def _ids_m2m(tracciato: Tracciato, nome, righe):
    campo = _campo_vivo(tracciato, nome)
    chiave = get_m2m_reverse_field_name(campo)
    return [riga.get(chiave) or riga.get(f"{chiave}_id") for riga in righe or []]


def _etichette_relazioni(grezze):
    """Names of the related objects the changes mention: one query per related model."""
    wanted: dict[type, set] = {}
    for voce, cambi in grezze:
        for nome, vecchio, nuovo in cambi:
            related = _modello_collegato(voce.tracciato, nome)
            if related is None:
                continue
            if _campo_vivo(voce.tracciato, nome).many_to_many:
                values = _ids_m2m(voce.tracciato, nome, vecchio) + _ids_m2m(
                    voce.tracciato, nome, nuovo
                )
            else:
                values = [vecchio, nuovo]
            wanted.setdefault(related, set()).update(v for v in values if v is not None)
    etichette = {}
    utenti = get_user_model()
    for related, ids in wanted.items():
        for obj in related._base_manager.filter(pk__in=ids):
            # People by their name, as everywhere else in the trail (not the username).
            nome = obj.get_full_name() if related is utenti else ""
            etichette[(related, obj.pk)] = nome or str(obj)
    return etichette


def _mostra(tracciato: Tracciato, nome, valore, etichette) -> str:
    """A field's value in Italian, for people: names, labels, 31/03/2026, 1.090.000,00."""
    campo = _campo_vivo(tracciato, nome)
    if campo.many_to_many:
        ids = _ids_m2m(tracciato, nome, valore)
        if not ids:
            return "—"
        return ", ".join(
            etichette.get((campo.related_model, i), f"n. {i}") for i in ids if i is not None
        )
    if valore is None or valore == "":
        return "—"
    if campo.is_relation:
        return etichette.get(
            (campo.related_model, valore), _("n. %(id)s (eliminato)") % {"id": valore}
        )
    if campo.choices:
        return str(dict(campo.flatchoices).get(valore, valore))
    if isinstance(valore, bool):
        return str(_("Sì") if valore else _("No"))
    if isinstance(valore, datetime.datetime):
        return date_format(timezone.localtime(valore), "d/m/Y H:i")
    if isinstance(valore, datetime.date):
        return date_format(valore, "d/m/Y")
    if isinstance(valore, Decimal):
        return number_format(valore, use_l10n=True, force_grouping=True)
    return str(valore)
