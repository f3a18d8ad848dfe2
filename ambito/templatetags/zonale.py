"""Italian formatting of money, numbers, percentages: one place for pages and PDFs."""

import base64
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.core.signals import setting_changed
from django.template.base import render_value_in_context
from django.utils.formats import get_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def parametri_leggibili(parametri):
    """A report's parameters as (label, value) pairs in Italian (ambito/platform/pdf.py)."""
    from ambito.platform.pdf import parametri_leggibili as leggibili

    return leggibili(parametri)


@register.simple_tag(takes_context=True)
def errori_pagina(context):
    """The page's forms in error (base.html: title prefix and error summary)."""
    from ambito.platform.forms import moduli_con_errori

    return moduli_con_errori(context)


def _decimal(value, decimals=None):
    """The value as a Decimal, rounded half-up when `decimals` is given.

    Django's number_format truncates Decimals, so rounding happens here first.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        amount = value  # Decimal(str(value)) would be the same number
    else:
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None
    if decimals is not None:
        amount = amount.quantize(_UNITA[int(decimals)], rounding=ROUND_HALF_UP)
    return amount


class _Unita(dict):
    """The unit of the last place kept, per number of decimals: built once each."""

    def __missing__(self, decimals):
        self[decimals] = Decimal(1).scaleb(-decimals)
        return self[decimals]


_UNITA = _Unita()

# Per language: the table that turns Python's "," and "." into the locale's thousands and
# decimal separators, or None where the locale does not group digits by three. Emptied
# when a test changes the format settings, as Django's own cache of formats.
_SEPARATORI: dict = {}


@setting_changed.connect
def _dimentica_separatori(**kwargs):
    _SEPARATORI.clear()


def _separatori(lingua):
    if lingua not in _SEPARATORI:
        per_tre = get_format("NUMBER_GROUPING", lingua, use_l10n=True) == 3
        _SEPARATORI[lingua] = (
            str.maketrans(
                {
                    ",": get_format("THOUSAND_SEPARATOR", lingua, use_l10n=True),
                    ".": get_format("DECIMAL_SEPARATOR", lingua, use_l10n=True),
                }
            )
            if per_tre
            else None
        )
    return _SEPARATORI[lingua]


def _formatta(amount, decimals):
    """`number_format(amount, decimals, use_l10n=True, force_grouping=True)` of an amount
    `_decimal` rounded to `decimals` places: the same text, written by Python's own
    grouping with the locale's separators swapped in.

    A dashboard or a grid formats some hundreds of figures per page; Django's
    number_format looks its three formats up and groups the digits in a Python loop
    each time, a tenth of the page's rendering.
    """
    separatori = _separatori(get_language())
    if separatori is None or decimals < 0 or not amount.is_finite():
        return number_format(amount, decimals, use_l10n=True, force_grouping=True)
    if not amount:
        amount = _ZERO  # number_format writes no sign on a zero ("-0,0" is "0,0")
    return f"{amount:,.{decimals}f}".translate(separatori)


_ZERO = Decimal(0)


@register.filter
def euro(value):
    """1090000 -> '€ 1.090.000,00'."""
    amount = _decimal(value, 2)
    if amount is None:
        return "—"
    return "€ " + _formatta(amount, 2)


@register.simple_tag
def celle_euro(importi):
    """A table row's amounts as `<td class="num">` cells, "—" where there is none.

    One call per row instead of a template loop with a filter per cell.
    """
    return mark_safe(  # noqa: S308 - every amount is escaped
        "".join(f'<td class="num">{escape(euro(importo))}</td>' for importo in importi)
    )


@register.filter
def numero(value, decimals=0):
    """124421 -> '124.421'; numero:1 for one decimal."""
    amount = _decimal(value, decimals)
    if amount is None:
        return "—"
    return _formatta(amount, int(decimals))


@register.filter
def percentuale(value, decimals=1):
    """21.5 -> '21,5%' (the value is already a percentage, not a fraction)."""
    amount = _decimal(value, decimals)
    if amount is None:
        return "—"
    return _formatta(amount, int(decimals)) + "%"


@register.filter
def ambito_breve(nome):
    """An Ambito's name without "Ambito territoriale sociale" (a column headed "Ambito")."""
    from ambito.models import Ambito

    return Ambito.abbrevia(nome)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def svg_data_url(svg):
    """SVG markup as a `data:` URL, for an <img> in the PDFs.

    WeasyPrint renders an SVG image much faster than the same SVG inline in the HTML
    (which goes through the HTML parser and the CSS cascade, element by element).
    """
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode("utf-8")).decode()


@register.simple_tag(takes_context=True)
def righe_grafico(context, righe):
    """The rows of a chart's data table: the label, then the figures (one decimal).

    One call per chart instead of a template loop per cell: a dashboard shows some
    hundreds of cells, most of its rendering time when written by the template.
    """

    def cella(valore):
        if hasattr(valore, "as_tuple"):
            return escape(numero(valore, 1))
        return render_value_in_context("—" if valore is None else valore, context)

    return mark_safe(  # noqa: S308 - every value above is escaped
        "".join(
            f'<tr><th scope="row">{render_value_in_context(etichetta, context)}</th>'
            + "".join(f'<td class="num">{cella(valore)}</td>' for valore in valori)
            + "</tr>"
            for etichetta, *valori in righe
        )
    )


@register.simple_tag(takes_context=True)
def ambiti_importazione(context, tipo):
    """The Ambiti where the user may import `tipo` (platform/importazioni.py): a list
    page links them to the template and the upload (includes/importa.html)."""
    from ambito.models import Ambito
    from ambito.platform.importazioni import importatore_of
    from ambito.roles import ruoli

    user = context.get("user")
    importatore = importatore_of(tipo)
    if importatore is None or user is None or not user.is_authenticated:
        return []
    # The Ambiti of the user's roles, already loaded for the request: no query.
    ambiti = Ambito.objects.order_by("nome") if user.is_superuser else ruoli(user).ambiti
    ambiti = sorted(ambiti, key=lambda a: a.nome)
    return [a for a in ambiti if user.has_perm(importatore.permesso, a)]
