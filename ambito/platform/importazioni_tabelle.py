"""Importers of one table's rows by their natural key (allocations, projects, progress
snapshots, unità d'offerta, population): a row of the file creates, changes or leaves
alone one row of the model, checked by the app's own service.

Each app subclasses `ImportatoreTabella` and says how a row of the file becomes a key
and field values (`leggi_riga`), which rows exist already (`esistenti`), and which
service validates and saves them (`valida`, `salva`). The loop, the repeated-row check,
the comparison (same values: "invariata", so the same file twice changes nothing) and
the audit reason are written once here.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from .importazioni import EsitoRiga, Importatore


class RigaRifiutata(Exception):
    """A row that cannot become a key and values (unknown Comune, line, project...)."""

    def __init__(self, *messaggi: str):
        super().__init__(*messaggi)
        self.messaggi = list(messaggi)


@dataclass
class Modifica:
    """What a row does: the instance with its new values, and its relations (e.g. the
    Comuni of a project) by name, which the service sets after the save."""

    instance: object
    relazioni: dict = field(default_factory=dict)


def normalizza(testo) -> str:
    """A name as users type it: case, spaces and curly apostrophes ignored."""
    return " ".join(str(testo or "").replace("’", "'").split()).casefold()


def per_nome(oggetti: Iterable, *attributi: str) -> dict:
    """{normalised name: object} for each attribute given (e.g. nome, sigla, codice)."""
    mappa = {}
    for oggetto in oggetti:
        for attributo in attributi:
            valore = getattr(oggetto, attributo, "")
            if valore:
                mappa.setdefault(normalizza(valore), oggetto)
    return mappa


def scelta(choices, testo, *, etichetta: str) -> str:
    """The value of a TextChoices from its label or its value ("In corso", "in_corso")."""
    chiave = normalizza(testo)
    for valore, nome in choices.choices:
        if chiave in (normalizza(valore), normalizza(nome)):
            return valore
    raise RigaRifiutata(
        _("%(colonna)s: «%(testo)s» non è tra i valori ammessi (%(ammessi)s).")
        % {
            "colonna": etichetta,
            "testo": testo,
            "ammessi": ", ".join(str(nome) for _valore, nome in choices.choices),
        }
    )


def messaggi_errore(error: ValidationError, colonne, model=None) -> list[str]:
    """A service's ValidationError as Italian messages, each after its column's label
    (else the model field's name), as the form shows it next to the field."""
    etichette = {c.chiave: c.etichetta for c in colonne}
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messaggi = []
    for campo, errori in error.message_dict.items():
        etichetta = etichette.get(campo)
        if etichetta is None and model is not None and campo != NON_FIELD_ERRORS:
            try:
                etichetta = str(model._meta.get_field(campo).verbose_name).capitalize()
            except Exception:  # noqa: BLE001 - an error key that is no field: no label
                etichetta = None
        messaggi.extend(f"{etichetta}: {e}" if etichetta else e for e in errori)
    return messaggi


class ImportatoreTabella(Importatore):
    """One model's rows by natural key. With `chiave_unica` False (rows with no unique
    key, like the unità d'offerta), the n-th row of the file with a key pairs with the
    n-th existing row with that key (by id), and further ones are new."""

    model = None
    chiave_unica = True

    # --- What each app's importer says --------------------------------------------------

    def contesto(self, *, ambito, user, **parametri) -> dict:
        """What the rows are resolved against, read once (names -> objects)."""
        return {"ambito": ambito, "user": user, **parametri}

    def esistenti(self, contesto) -> dict:
        """{key: [existing instances]} of the Ambito (ordered by id)."""
        raise NotImplementedError

    def leggi_riga(self, celle: dict, contesto) -> tuple:
        """(key, {field: value}, {relation: value}) of a row; RigaRifiutata if not."""
        raise NotImplementedError

    def nuovo(self, chiave, contesto):
        """A new unsaved instance for the key."""
        raise NotImplementedError

    def valida(self, modifica: Modifica, contesto) -> None:
        """Raise the service's ValidationError, if any (no write)."""
        raise NotImplementedError

    def salva(self, modifica: Modifica, contesto) -> None:
        """Save through the service."""
        raise NotImplementedError

    def relazioni_di(self, instance, contesto) -> dict:
        """The current relations of an existing instance, to compare with the file's."""
        return {}

    def descrivi_riga(self, instance) -> str:
        return str(instance)

    def chiave_leggibile(self, chiave) -> str:
        return " ".join(str(parte) for parte in chiave if parte not in (None, ""))

    # --- The loop ---------------------------------------------------------------------

    def prova(self, righe, *, ambito, user, **parametri) -> list[EsitoRiga]:
        contesto = self.contesto(ambito=ambito, user=user, **parametri)
        esistenti = self.esistenti(contesto)
        viste: dict = {}
        esiti = []
        for riga in righe:
            esiti.append(self._esito(riga, contesto, esistenti, viste))
        return esiti

    def _esito(self, riga, contesto, esistenti, viste) -> EsitoRiga:
        if riga.errori:
            return EsitoRiga(riga.numero, "rifiutata", "", list(riga.errori))
        try:
            chiave, valori, relazioni = self.leggi_riga(riga.celle, contesto)
        except RigaRifiutata as rifiuto:
            return EsitoRiga(riga.numero, "rifiutata", "", rifiuto.messaggi)
        occorrenze = viste.setdefault(chiave, [])
        occorrenze.append(riga.numero)
        if self.chiave_unica and len(occorrenze) > 1:
            return EsitoRiga(
                riga.numero,
                "rifiutata",
                self.chiave_leggibile(chiave),
                [
                    _("Riga ripetuta: %(chiave)s è già alla riga %(riga)d del file.")
                    % {"chiave": self.chiave_leggibile(chiave), "riga": occorrenze[0]}
                ],
            )
        candidati = esistenti.get(chiave, [])
        if len(occorrenze) <= len(candidati):
            instance = copy.copy(candidati[len(occorrenze) - 1])
            prima = {c: getattr(instance, c) for c in valori}
            prima_relazioni = self.relazioni_di(instance, contesto)
            azione = "modifica"
        else:
            instance = self.nuovo(chiave, contesto)
            prima, prima_relazioni, azione = {}, {}, "crea"
        cambiati = [c for c, v in valori.items() if azione == "crea" or prima[c] != v]
        cambiati += [r for r, v in relazioni.items() if prima_relazioni.get(r) != v]
        for campo, valore in valori.items():
            setattr(instance, campo, valore)
        modifica = Modifica(instance, relazioni)
        descrizione = self.descrivi_riga(instance)
        if azione == "modifica" and not cambiati:
            return EsitoRiga(riga.numero, "invariata", descrizione, [])
        try:
            self.valida(modifica, contesto)
        except ValidationError as error:
            return EsitoRiga(
                riga.numero,
                "rifiutata",
                descrizione,
                messaggi_errore(error, self.colonne, self.model),
            )
        messaggi = []
        if azione == "modifica":
            etichette = {c.chiave: c.etichetta for c in self.colonne}
            messaggi = [
                _("Cambia: %(campi)s.")
                % {"campi": ", ".join(str(etichette.get(c, c)) for c in cambiati)}
            ]
        return EsitoRiga(riga.numero, azione, descrizione, messaggi, dati=modifica)

    def applica(self, esiti, *, ambito, user, motivo, **parametri) -> None:
        """Save each created or changed row through the service, with the audit reason
        (the caller holds the transaction: all rows or none)."""
        contesto = self.contesto(ambito=ambito, user=user, **parametri)
        for esito in esiti:
            if esito.azione not in ("crea", "modifica"):
                continue
            esito.dati.instance._change_reason = motivo
            self.salva(esito.dati, contesto)
