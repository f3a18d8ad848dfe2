"""Writes of the servizi app: validate everything, then save, in one transaction.

Forms, the Django admin and the API call these functions, so every rule (and its
Italian message, attached to the field) is the same wherever the data come from.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ambito.models import Comune
from ambito.platform.services import instance_save

from .choices import Territorio, UnitaStatistica
from .models import (
    Avviso,
    DatoAnnuale,
    MisuraTabella,
    QuotaAvviso,
    Servizio,
    Tabella,
    UnitaOfferta,
    ValoreTabella,
)
from .tabelle import RigaLetta


@transaction.atomic
def servizio_save(*, servizio: Servizio, comuni: Iterable[Comune], linee=()) -> Servizio:
    comuni = list(comuni)
    estranei = sorted(c.nome for c in comuni if c.ambito_id != servizio.ambito_id)
    if estranei:
        raise ValidationError(
            {
                "comuni": _("Non appartengono all'Ambito del servizio: %(comuni)s.")
                % {"comuni": ", ".join(estranei)}
            }
        )
    instance_save(servizio)
    servizio.comuni.set(comuni)
    servizio.linee.set(list(linee))
    return servizio


@transaction.atomic
def unita_save(*, unita: UnitaOfferta) -> UnitaOfferta:
    return instance_save(unita)


@transaction.atomic
def dato_annuale_save(*, dato: DatoAnnuale) -> DatoAnnuale:
    return instance_save(dato)


@transaction.atomic
def avviso_save(
    *, avviso: Avviso, quote: Iterable[QuotaAvviso] = (), eliminate: Iterable[QuotaAvviso] = ()
) -> Avviso:
    """The call and its resources together: the total is always the sum of the quote."""
    instance_save(avviso)
    for quota in eliminate:
        quota.delete()
    for quota in quote:
        quota.avviso = avviso
        instance_save(quota)
    return avviso


# --- Statistical tables -----------------------------------------------------------------


@transaction.atomic
def tabella_save(*, tabella: Tabella, misure: Iterable[MisuraTabella] = ()) -> Tabella:
    """The table and its new measures together."""
    instance_save(tabella)
    for misura in misure:
        misura.tabella = tabella
        instance_save(misura)
    return tabella


@dataclass
class EsitoImport:
    """What an upload did, or would do: counts and the Italian errors of each row."""

    righe: int = 0
    nuove: int = 0
    aggiornate: int = 0
    invariate: int = 0
    errori: list[tuple[int, str]] = field(default_factory=list)
    applicato: bool = False

    @property
    def valido(self) -> bool:
        return not self.errori


def _chiave(misura_id, territorio, comune_id, luogo, anno, categoria):
    return (misura_id, territorio, comune_id, luogo, anno, categoria)


def tabella_valori_importa(
    *, tabella: Tabella, righe: Iterable[RigaLetta], conferma: bool = False
) -> EsitoImport:
    """Writes rows read from a file (or a fixture) into a table: all or nothing.

    A row with the same measure, territory, Comune, place, year and category replaces
    the value; others are added. Without `conferma` (dry run) the same code runs in a
    transaction that is rolled back, so the preview is what the real import does.
    """
    righe = list(righe)
    esito = EsitoImport(righe=len(righe))
    misure = {m.codice: m for m in tabella.misure.all()}
    comuni = {c.nome.casefold(): c for c in Comune.objects.filter(ambito_id=tabella.ambito_id)}
    esistenti = {
        _chiave(v.misura_id, v.territorio, v.comune_id, v.luogo, v.anno, v.categoria): v
        for v in ValoreTabella.objects.filter(misura__tabella=tabella)
    }
    nuove, cambiate, viste = [], [], set()
    for riga in righe:
        errori = list(riga.errori)
        misura = misure.get(riga.misura)
        if riga.misura and misura is None:
            errori.append(
                _("Misura «%(m)s» sconosciuta nella %(t)s: usare %(scelte)s.")
                % {"m": riga.misura, "t": tabella.codice, "scelte": ", ".join(misure)}
            )
        comune = None
        if riga.territorio == Territorio.COMUNE:
            comune = comuni.get(riga.comune.casefold())
            if comune is None:
                errori.append(
                    _("Comune «%(c)s» non appartiene all'Ambito.") % {"c": riga.comune}
                    if riga.comune
                    else _("Manca il Comune.")
                )
        elif riga.comune:
            errori.append(_("Il Comune si indica solo per il territorio «comune»."))
        if misura and riga.valore is not None:
            if misura.unita == UnitaStatistica.CONTEGGIO and riga.valore < 0:
                errori.append(_("Un conteggio non può essere negativo."))
            if misura.unita == UnitaStatistica.PERCENTUALE and not 0 <= riga.valore <= 100:
                errori.append(_("Una percentuale deve stare tra 0 e 100."))
            if abs(riga.valore) >= Decimal("1e12"):
                errori.append(_("Valore troppo grande."))
        if not errori:
            chiave = _chiave(
                misura.pk,
                riga.territorio,
                comune and comune.pk,
                riga.luogo,
                riga.anno,
                riga.categoria,
            )
            if chiave in viste:
                errori.append(_("Riga ripetuta: stessa misura, territorio, anno e categoria."))
            viste.add(chiave)
        if errori:
            esito.errori.extend((riga.numero, e) for e in errori)
            continue
        valore = esistenti.get(chiave)
        if valore is None:
            nuove.append(
                ValoreTabella(
                    misura=misura,
                    territorio=riga.territorio,
                    comune=comune,
                    luogo=riga.luogo,
                    anno=riga.anno,
                    categoria=riga.categoria,
                    valore=riga.valore,
                )
            )
        elif valore.valore != riga.valore:
            valore.valore = riga.valore
            cambiate.append(valore)
        else:
            esito.invariate += 1
    esito.nuove, esito.aggiornate = len(nuove), len(cambiate)
    if esito.errori:
        return esito
    with transaction.atomic():
        ValoreTabella.objects.bulk_create(nuove)
        ValoreTabella.objects.bulk_update(cambiate, ["valore"])
        if not conferma:
            transaction.set_rollback(True)
    esito.applicato = conferma
    return esito
