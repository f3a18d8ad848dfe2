"""Formatting of indicator values by their unit, and status badges."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ambito.templatetags.zonale import euro, numero, percentuale

from ..choices import StatoAvanzamento, StatoValore, UnitaMisura

register = template.Library()

CLASSI_STATO = {
    StatoValore.BOZZA: "bg-secondary",
    StatoValore.INVIATO: "bg-primary",
    StatoValore.APPROVATO: "bg-success",
    StatoValore.RESPINTO: "bg-danger",
    StatoAvanzamento.IN_LINEA: "bg-success",
    StatoAvanzamento.A_RISCHIO: "bg-warning text-dark",
    StatoAvanzamento.CRITICO: "bg-danger",
    StatoAvanzamento.NON_VALUTABILE: "bg-light text-dark border",
}


@register.filter
def nome_breve(indicatore):
    """An indicator's name shortened for a column head (the code and full name beside it)."""
    from indicatori.cruscotto import LUNGHEZZA_INTESTAZIONE, accorcia

    return accorcia(indicatore.nome, LUNGHEZZA_INTESTAZIONE)


@register.filter
def formato(valore, indicatore):
    """A figure in the indicator's unit: 12, 21,5%, € 1.090,00."""
    if valore is None or valore == "":
        return "—"
    if isinstance(valore, str):
        return valore
    unita = getattr(indicatore, "unita", indicatore)
    if unita == UnitaMisura.PERCENTUALE:
        return percentuale(valore)
    if unita == UnitaMisura.EURO:
        return euro(valore)
    decimali = 0 if valore == int(valore) else 1
    return numero(valore, decimali)


@register.filter
def valore_di(valore):
    """The content of a Valore: its number in the indicator's unit, or its text."""
    if valore is None:
        return "—"
    if valore.valore_numerico is None:
        return valore.valore_testo or "—"
    return formato(valore.valore_numerico, valore.indicatore)


_BADGE_HTML: dict[tuple[str, str], str] = {}


def _per_lingua(memoria, stato, scrivi):
    """The HTML of a status in the current language, written once and remembered."""
    chiave = (stato or "", get_language() or "")
    if chiave not in memoria:
        memoria[chiave] = scrivi()
    return memoria[chiave]


@register.simple_tag
def badge_stato(stato, etichetta=None):
    """A status badge, with the status's own label unless one is given.

    Memoized per status and language: an entry grid shows one per row.
    """
    if etichetta is not None:
        return _badge(stato, etichetta)
    return _per_lingua(_BADGE_HTML, stato, lambda: _badge(stato, _etichetta(stato)))


def _etichetta(stato):
    return (dict(StatoValore.choices) | dict(StatoAvanzamento.choices)).get(stato, stato)


def _badge(stato, etichetta):
    if not stato:
        return format_html('<span class="badge bg-light text-dark border">{}</span>', _("vuoto"))
    return format_html(
        '<span class="badge {}">{}</span>', CLASSI_STATO.get(stato, "bg-secondary"), etichetta
    )


SIGLE = {
    StatoValore.BOZZA: "B",
    StatoValore.INVIATO: "I",
    StatoValore.APPROVATO: "A",
    StatoValore.RESPINTO: "R",
}


_SIGLE_HTML: dict[tuple[str, str], str] = {}


@register.simple_tag
def sigla_stato(stato):
    """A one-letter status for dense grids; the full word for screen readers.

    Memoized per status and language: a review grid shows ~1.000 of them.
    """
    return _per_lingua(_SIGLE_HTML, stato, lambda: _sigla_stato(stato))


def _sigla_stato(stato):
    if not stato:
        return format_html(
            '<span class="badge bg-light text-dark border sigla" title="{0}">'
            '<span aria-hidden="true">–</span><span class="visually-hidden">{0}</span></span>',
            _("vuoto"),
        )
    etichetta = _etichetta(stato)
    return format_html(
        '<span class="badge {0} sigla" title="{1}"><span aria-hidden="true">{2}</span>'
        '<span class="visually-hidden">{1}</span></span>',
        CLASSI_STATO.get(stato, "bg-secondary"),
        etichetta,
        SIGLE.get(stato, "?"),
    )


@register.simple_tag
def celle_revisione(riga, url_valore):
    """The cells of one review-grid row: status letters, linked to the values.

    One call per Comune instead of a template loop with a {% url %} per cell: on a
    large Ambito (~800 cells) the per-cell reverse() and lookups were most of the
    page's time. `url_valore` is the detail URL with "0" for the id.
    """
    prima, dopo = url_valore.rsplit("/0/", 1)
    nome = escape(riga.comune.nome)
    vuota = f"<td>{sigla_stato('')}</td>"
    parti = []
    for cella in riga.celle:
        if not cella.valore_id:
            parti.append(vuota)
            continue
        parti.append(
            f'<td><a href="{prima}/{int(cella.valore_id)}/{dopo}">{sigla_stato(cella.stato)}'
            f'<span class="visually-hidden"> {escape(cella.indicatore.codice)} {nome}</span>'
            "</a></td>"
        )
    return mark_safe("".join(parti))  # noqa: S308 - every piece above is escaped
