"""The indicators' part of a new Piano: copied with the structure, created from the
template, and closed when the next Piano comes into force.

programmi sits below indicatori and must not import it: this extension is registered in
`programmi.services.ESTENSIONI_PIANO` by `IndicatoriConfig.ready()`.
"""

import datetime

from .models import Categoria, Indicatore

# What defines an indicator, copied as it is (targets and links are handled apart).
CAMPI_DEFINIZIONE = [
    "codice",
    "nome",
    "descrizione",
    "tipo",
    "unita",
    "direzione",
    "aggregazione_comuni",
    "aggregazione_periodi",
    "periodicita",
    "livello",
    "categorie_esaustive",
    "conta_beneficiari",
    "previsto_dal_piano",
    "fonte",
    "ordine",
    "area_id",
]
CAMPI_TARGET = ["valore_atteso", "valore_atteso_testo", "data_target"]


class IndicatoriDelPiano:
    def copia(self, *, origine, nuovo, mappa, con_target):
        stesso_ambito = origine.ambito_id == nuovo.ambito_id
        copie = {}
        sorgenti = list(origine.indicatori.prefetch_related("categorie").order_by("pk"))
        for indicatore in sorgenti:
            copia = Indicatore(
                piano=nuovo,
                scheda=mappa.schede.get(indicatore.scheda_id),
                obiettivo=mappa.obiettivi.get(indicatore.obiettivo_id),
                servizio_id=indicatore.servizio_id if stesso_ambito else None,
                progetto_id=indicatore.progetto_id if stesso_ambito else None,
                rilevazione_dal=datetime.date(nuovo.anno_inizio, 1, 1),
                **{nome: getattr(indicatore, nome) for nome in CAMPI_DEFINIZIONE},
            )
            if con_target:
                for nome in CAMPI_TARGET:
                    setattr(copia, nome, getattr(indicatore, nome))
            # A computed percentage gets its terms below, once they are copied.
            copia.save()
            copie[indicatore.pk] = copia
            Categoria.objects.bulk_create(
                Categoria(indicatore=copia, codice=c.codice, nome=c.nome, ordine=c.ordine)
                for c in indicatore.categorie.all()
            )
        for indicatore in sorgenti:
            if indicatore.numeratore_id:
                copia = copie[indicatore.pk]
                copia.numeratore = copie.get(indicatore.numeratore_id)
                copia.denominatore = copie.get(indicatore.denominatore_id)
                copia.save(update_fields=["numeratore", "denominatore"])

    def da_modello(self, *, nuovo, modello, mappa):
        for ordine, dati in enumerate(modello.get("indicatori", []), start=1):
            dati = dict(dati)
            obiettivo = mappa.obiettivi.get(dati.pop("obiettivo", None))
            Indicatore.objects.create(
                piano=nuovo,
                obiettivo=obiettivo,
                rilevazione_dal=datetime.date(nuovo.anno_inizio, 1, 1),
                ordine=ordine,
                **dati,
            )

    def attiva(self, *, nuovo, precedenti):
        """The indicators of the plans it replaces are no longer due after they end."""
        fine = datetime.date(nuovo.anno_inizio - 1, 12, 31)
        for precedente in precedenti:
            for indicatore in precedente.indicatori.exclude(rilevazione_al__lte=fine):
                indicatore.rilevazione_al = max(fine, indicatore.rilevazione_dal)
                indicatore.save(update_fields=["rilevazione_al"])
