"""The business rules of an indicator and of a value, one named function each.

Each validator takes the unsaved instance and raises a ValidationError keyed by the
field its message belongs next to. The services run them (after the field checks)
before saving; the admin form runs the same tuples to show the messages.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import AggregazioneComuni, StatoValore, UnitaMisura


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# Indicatore


def validate_indicatore_same_piano(indicatore) -> None:
    """Its scheda and objective belong to the indicator's Piano di Zona."""
    errors = {}
    for field in ("scheda", "obiettivo"):
        related = getattr(indicatore, field)
        if related is not None and indicatore.piano_id and related.piano_id != indicatore.piano_id:
            errors[field] = _("Deve appartenere allo stesso Piano di Zona dell'indicatore.")
    _raise(errors)


def validate_indicatore_same_ambito(indicatore) -> None:
    """Its service and project belong to the Ambito of the Piano."""
    if not indicatore.piano_id:
        return
    ambito_id = indicatore.piano.ambito_id
    errors = {}
    if indicatore.servizio_id and indicatore.servizio.ambito_id != ambito_id:
        errors["servizio"] = _("Il servizio non appartiene all'Ambito del Piano.")
    if indicatore.progetto_id and indicatore.progetto.ambito_id != ambito_id:
        errors["progetto"] = _("Il progetto non appartiene all'Ambito del Piano.")
    _raise(errors)


def validate_indicatore_qualitativo(indicatore) -> None:
    """A text indicator has no numeric target and is not aggregated across Comuni."""
    if indicatore.unita != UnitaMisura.TESTO:
        return
    errors = {}
    if indicatore.valore_atteso is not None:
        errors["valore_atteso"] = _(
            "Un indicatore qualitativo ha un valore atteso descrittivo, non numerico."
        )
    if indicatore.aggregazione_comuni != AggregazioneComuni.NESSUNA:
        errors["aggregazione_comuni"] = _(
            "I valori qualitativi non si sommano né si mediano tra Comuni."
        )
    _raise(errors)


def validate_indicatore_percentuale_attesa(indicatore) -> None:
    """An expected percentage lies between 0 and 100."""
    atteso = indicatore.valore_atteso
    if indicatore.unita == UnitaMisura.PERCENTUALE and atteso is not None and atteso > 100:
        raise ValidationError(
            {"valore_atteso": _("Una percentuale attesa deve essere compresa tra 0 e 100.")}
        )


def validate_indicatore_media_pesata(indicatore) -> None:
    """A weighted mean is not made of exhaustive categories."""
    if (
        indicatore.aggregazione_comuni == AggregazioneComuni.MEDIA_PESATA
        and indicatore.categorie_esaustive
    ):
        raise ValidationError(
            {
                "aggregazione_comuni": _(
                    "Una media pesata non si compone di categorie: usare categorie «di cui»."
                )
            }
        )


def validate_indicatore_calcolato(indicatore) -> None:
    """A computed percentage has both terms, and is a percentage."""
    if bool(indicatore.numeratore_id) != bool(indicatore.denominatore_id):
        raise ValidationError(
            {
                "denominatore": _(
                    "Una percentuale calcolata richiede sia il numeratore sia il denominatore."
                )
            }
        )
    if indicatore.numeratore_id and indicatore.unita != UnitaMisura.PERCENTUALE:
        raise ValidationError(
            {"unita": _("Solo una percentuale può essere calcolata da due conteggi.")}
        )


def _errore_termine(indicatore, termine) -> str | None:
    if indicatore.pk and termine.pk == indicatore.pk:
        return _("Un indicatore non può riferirsi a se stesso.")
    if termine.unita != UnitaMisura.CONTEGGIO:
        return _("Deve essere un indicatore di conteggio.")
    if termine.piano_id != indicatore.piano_id:
        return _("Deve appartenere allo stesso Piano di Zona.")
    if termine.livello != indicatore.livello:
        return _("Deve essere rilevato allo stesso livello (Comune o Ambito).")
    return None


def validate_indicatore_termini(indicatore) -> None:
    """Numerator and denominator are other counts of the same Piano and level."""
    if not (indicatore.numeratore_id and indicatore.denominatore_id):
        return
    errors = {}
    for field in ("numeratore", "denominatore"):
        errore = _errore_termine(indicatore, getattr(indicatore, field))
        if errore:
            errors[field] = errore
    _raise(errors)


def validate_indicatore_finestra(indicatore) -> None:
    """The collection window does not end before it starts."""
    dal, al = indicatore.rilevazione_dal, indicatore.rilevazione_al
    if al is not None and dal is not None and al < dal:
        raise ValidationError(
            {"rilevazione_al": _("La fine della rilevazione non può precedere l'inizio.")}
        )


INDICATORE = (
    validate_indicatore_same_piano,
    validate_indicatore_same_ambito,
    validate_indicatore_qualitativo,
    validate_indicatore_percentuale_attesa,
    validate_indicatore_media_pesata,
    validate_indicatore_calcolato,
    validate_indicatore_termini,
    validate_indicatore_finestra,
)


def errori_di_unita(indicatore, numero, testo) -> dict:
    """The value must fit the indicator's unit: the messages shown next to the cell."""
    testo = (testo or "").strip()
    if indicatore.unita == UnitaMisura.TESTO:
        if numero is not None:
            return {"valore_numerico": _("Questo indicatore è qualitativo: scrivere un testo.")}
        return {}
    if testo:
        return {"valore_testo": _("Questo indicatore è numerico: inserire un numero.")}
    if numero is None:
        return {}
    if numero < 0:
        return {"valore_numerico": _("Il valore non può essere negativo.")}
    if indicatore.unita == UnitaMisura.CONTEGGIO and numero != numero.to_integral_value():
        return {"valore_numerico": _("Un conteggio deve essere un numero intero.")}
    if indicatore.unita == UnitaMisura.PERCENTUALE and numero > 100:
        return {"valore_numerico": _("Una percentuale deve essere compresa tra 0 e 100.")}
    if numero.as_tuple().exponent < -2 or abs(numero) >= Decimal("1e12"):
        return {"valore_numerico": _("Il valore ha troppe cifre (al massimo due decimali).")}
    return {}


# Valore: the rules on one value alone; those across values live in services.py.


def _cella_completa(valore) -> bool:
    return bool(valore.indicatore_id and valore.periodo_id)


def validate_valore_same_ambito(valore) -> None:
    """The indicator and the Comune belong to the period's Ambito."""
    if not _cella_completa(valore):
        return
    ambito_id = valore.periodo.ambito_id
    errors = {}
    if valore.indicatore.piano.ambito_id != ambito_id:
        errors["indicatore"] = _("L'indicatore non appartiene all'Ambito del periodo.")
    if valore.comune_id and valore.comune.ambito_id != ambito_id:
        errors["comune"] = _("Il Comune non appartiene all'Ambito del periodo.")
    _raise(errors)


def validate_valore_livello(valore) -> None:
    """A Comune is given exactly when the indicator is collected per Comune."""
    if not _cella_completa(valore):
        return
    per_comune = valore.indicatore.per_comune
    if per_comune and not valore.comune_id:
        raise ValidationError(
            {"comune": _("Questo indicatore si rileva per Comune: indicare il Comune.")}
        )
    if not per_comune and valore.comune_id:
        raise ValidationError(
            {"comune": _("Questo indicatore si rileva solo per l'intero Ambito.")}
        )


def validate_valore_dovuto(valore) -> None:
    """The indicator is collected in the period, and is not computed."""
    if not _cella_completa(valore):
        return
    errors = {}
    if not valore.indicatore.dovuto_nel(valore.periodo):
        errors["periodo"] = _("Questo indicatore non si rileva in questo periodo.")
    if valore.indicatore.calcolato:
        errors["indicatore"] = _(
            "Questa percentuale è calcolata dal numeratore e dal denominatore: non si inserisce."
        )
    _raise(errors)


def validate_valore_categoria(valore) -> None:
    """The category is the indicator's; exhaustive categories leave no total to enter."""
    if not _cella_completa(valore):
        return
    if valore.categoria_id and valore.categoria.indicatore_id != valore.indicatore_id:
        raise ValidationError({"categoria": _("La categoria non appartiene a questo indicatore.")})
    if not valore.categoria_id and valore.indicatore.categorie_esaustive:
        raise ValidationError(
            {
                "categoria": _(
                    "Il totale di questo indicatore è la somma delle categorie: "
                    "inserire le categorie."
                )
            }
        )


def validate_valore_unita(valore) -> None:
    """The number or text fits the indicator's unit."""
    if _cella_completa(valore):
        _raise(errori_di_unita(valore.indicatore, valore.valore_numerico, valore.valore_testo))


def validate_valore_motivo(valore) -> None:
    """A returned value says why."""
    if valore.stato == StatoValore.RESPINTO and not valore.motivo_respingimento.strip():
        raise ValidationError({"motivo_respingimento": _("Indicare il motivo della restituzione.")})


VALORE = (
    validate_valore_same_ambito,
    validate_valore_livello,
    validate_valore_dovuto,
    validate_valore_categoria,
    validate_valore_unita,
    validate_valore_motivo,
)
