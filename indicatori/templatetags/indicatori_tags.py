"""Formatting of indicator values by their unit, and status badges."""

from django import template
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ambito.platform.renderers import _text
from ambito.platform.renderers import escape_testo as escape
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


@register.simple_tag
def righe_completezza(righe):
    """The rows of the dashboard's completeness table, per Comune: one call instead of
    a template loop with six lookups and a filter per row; the markup the loop wrote."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<tr><th scope="row">{_text(r.comune.nome)}</th>'
            f'<td class="num">{_text(r.attesi)}</td><td class="num">{_text(r.inviati)}</td>'
            f'<td class="num">{_text(r.approvati)}</td>'
            f'<td class="num">{_text(percentuale(r.percentuale))}</td>'
            f"<td>{_text(r.stato)}</td></tr>"
            for r in righe
        )
    )


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


def _url_con_id(nome, *args):
    """A URL whose last argument is filled in later: its parts around the "0" put there."""
    from django.urls import reverse

    return reverse(nome, args=[*args, 0]).rsplit("/0/", 1)


@register.simple_tag
def righe_revisione(righe, periodo, gestisce):
    """The review grid's rows: per Comune its name, the values to approve, the actions
    and every indicator's status letter, linked to the value.

    One call for the table instead of a template loop per row and cell: on a large
    Ambito (~800 cells) the per-cell lookups, tags and reverse() were most of the
    page's time. The markup is the one the template wrote.
    """
    valore_prima, valore_dopo = _url_con_id("indicatori:valore_detail")
    approva_prima, approva_dopo = _url_con_id("indicatori:approva_tutti", periodo.pk)
    dettaglio_prima, dettaglio_dopo = _url_con_id("indicatori:revisione_comune", periodo.pk)
    approva, dettaglio = escape(_("Approva tutti")), escape(_("Dettaglio"))
    sigle = {}  # status -> its letter, written once per table
    codici = {}  # indicator id -> its escaped code
    vuota = f"<td>{sigla_stato('')}</td>"
    parti = []
    for riga in righe:
        pk = int(riga.comune.pk)
        nome = escape(riga.comune.nome)
        da_approvare = riga.da_approvare
        pulsante = (
            '\n        <a class="btn btn-sm btn-success py-1 px-2" '
            f'href="{approva_prima}/{pk}/{approva_dopo}">{approva}'
            f'<span class="visually-hidden"> {nome}</span></a>'
            if gestisce and periodo.aperto and da_approvare
            else ""
        )
        parti.append(
            "\n    <tr>\n"
            f'      <th scope="row" id="comune-{pk}" tabindex="-1">{nome}</th>\n'
            f"      <td>{_text(da_approvare)}</td>\n"
            f'      <td class="azioni"><div class="d-flex gap-1">{pulsante}\n'
            '        <a class="btn btn-sm btn-outline-primary py-1 px-2" '
            f'href="{dettaglio_prima}/{pk}/{dettaglio_dopo}">{dettaglio}'
            f'<span class="visually-hidden"> {nome}</span></a>\n'
            "      </div></td>\n      "
        )
        for cella in riga.celle:
            if not cella.valore_id:
                parti.append(vuota)
                continue
            if cella.stato not in sigle:
                sigle[cella.stato] = sigla_stato(cella.stato)
            indicatore = cella.indicatore
            if indicatore.id not in codici:
                codici[indicatore.id] = escape(indicatore.codice)
            parti.append(
                f'<td><a href="{valore_prima}/{int(cella.valore_id)}/{valore_dopo}">'
                f"{sigle[cella.stato]}"
                f'<span class="visually-hidden"> {codici[indicatore.id]} {nome}</span></a></td>'
            )
        parti.append("\n    </tr>\n  ")
    return mark_safe("".join(parti))  # noqa: S308 - every piece above is escaped


@register.simple_tag
def colonne_revisione(indicatori):
    """The review grid's column heads: code and short name, the full name on hover."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<th scope="col" class="intestazione-indicatore"><abbr title="{codice} {nome}">'
            f'<span class="d-block fw-bold">{codice}</span> '
            f'<span class="d-block fw-normal small">{escape(nome_breve(ind))}</span></abbr></th>'
            for ind, codice, nome in ((i, escape(i.codice), escape(i.nome)) for i in indicatori)
        )
    )


@register.simple_tag
def legenda_revisione(indicatori):
    """The review grid's list of the indicators in its columns, with their full names."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<dt class="col-sm-2">{escape(i.codice)}</dt>'
            f'<dd class="col-sm-10">{escape(i.nome)}</dd>'
            for i in indicatori
        )
    )


@register.simple_tag
def righe_inserimento(righe):
    """The rows of one table of the entry grid (inserimento.html): per indicator its
    cells with the last approved value, the input (or the fixed value), its errors next
    to it, the status and the comment; computed and total rows.

    One call per table instead of a template loop: the per-cell tags, filters and
    lookups of ~40 rows were half of the page's time. The inputs are the form's own
    (same names, ids, labels and aria attributes); the markup is the one the template
    wrote.
    """
    unita = {}  # unit -> its escaped label
    atteso, totale = escape(_("atteso")), escape(_("Totale (somma delle categorie)"))
    confermato = escape(_("Scostamento dallo storico confermato"))
    parti = []
    for item in righe:
        riga = item["riga"]
        ind = riga.indicatore
        if ind.unita not in unita:
            unita[ind.unita] = escape(ind.get_unita_display())
        codice_nome = f'<span class="codice">{escape(ind.codice)}</span> {escape(ind.nome)}'
        parti.append("\n      ")
        if ind.calcolato:
            calcolata = _("calcolata: %(num)s / %(den)s") % {
                "num": _text(ind.codice_numeratore),
                "den": _text(ind.codice_denominatore),
            }
            parti.append(
                '\n      <tr class="riga-calcolata">\n'
                f'        <th scope="row">{codice_nome}</th>\n'
                f"        <td>{unita[ind.unita]}</td>\n"
                '        <td class="num">—</td>\n'
                f'        <td class="num"><output>{_text(formato(riga.calcolato, ind))}</output> '
                f'<small class="d-block text-muted">{calcolata}</small></td>\n'
                "        <td></td><td></td>\n      </tr>\n      "
            )
        else:
            parti.append("\n      ")
            for c in item["celle"]:
                parti.append(_riga_cella(c, ind, codice_nome, unita[ind.unita], atteso, confermato))
            parti.append("\n      ")
            if ind.categorie_esaustive:
                parti.append(
                    '\n      <tr class="riga-totale">\n'
                    f'        <th scope="row">{totale}</th>\n'
                    "        <td></td><td></td>\n"
                    '        <td class="num"><output>'
                    f"{_text(formato(riga.calcolato, ind))}</output></td>\n"
                    "        <td></td><td></td>\n      </tr>\n      "
                )
            parti.append("\n      ")
        parti.append("\n    ")
    return mark_safe("".join(parti))  # noqa: S308 - every piece above is escaped


def _riga_cella(c, ind, codice_nome, unita, atteso, confermato):
    """One cell's row of the entry grid (see righe_inserimento)."""
    cella, campo, commento = c["cella"], c["campo"], c["commento"]
    categoria, valore, precedente = cella.categoria, cella.valore, cella.precedente
    if categoria is not None:
        intestazione = f'<span class="di-cui">{escape(categoria.nome)}</span>'
        if c["primo"] and ind.categorie_esaustive:
            intestazione += f'<span class="d-block small">{codice_nome}</span>'
    else:
        intestazione = codice_nome
        if ind.valore_atteso is not None:
            intestazione += (
                f' <small class="text-muted">({atteso}: '
                f"{_text(formato(ind.valore_atteso, ind))})</small>"
            )
    if precedente:
        testo = formato(precedente.valore, ind)
        if isinstance(precedente.valore, str):  # only a text can be long (Truncator is slow)
            testo = truncatechars(testo, 40)
        ultimo = (
            f'{_text(testo)} <small class="d-block text-muted">{escape(precedente.periodo)}</small>'
        )
    else:
        ultimo = "—"
    if campo is not None:
        errori = campo.errors
        contenuto = (
            f'\n            <label for="{_text(campo.id_for_label)}" class="visually-hidden">'
            f"{_text(campo.label)}</label>\n"
            f"            {campo}{c['versione']}\n            "
            + (
                f'<div class="field-errors" id="{_text(campo.auto_id)}_errors" role="alert">'
                + "".join(f'<p class="mb-0">{_text(e)}</p>' for e in errori)
                + "</div>"
                if errori
                else ""
            )
            + "\n            "
            + "".join(
                f'<div class="avviso-anomalia" role="alert">{_text(a)}</div>' for a in c["anomalie"]
            )
            + "\n          "
        )
    else:
        fisso = _text(valore_di(valore))
        contenuto = f'\n            <span class="valore-fisso">{fisso}</span>\n          '
    if valore:
        stato = badge_stato(valore.stato)
        if valore.anomalia_confermata:
            stato += f' <span class="badge bg-warning text-dark" title="{confermato}">!</span>'
        if valore.stato == StatoValore.RESPINTO:
            stato += (
                '<span class="d-block small text-danger">'
                f"{_text(valore.motivo_respingimento)}</span>"
            )
    else:
        stato = badge_stato("")
    if commento is not None:
        nota = (
            f'<label for="{_text(commento.id_for_label)}" class="visually-hidden">'
            f"{_text(commento.label)}</label>{commento}"
        )
    elif c["primo"] and valore and valore.commento:
        nota = f"<small>{_text(valore.commento)}</small>"
    else:
        nota = ""
    classe = ' class="riga-categoria"' if categoria else ""
    return (
        f"\n      <tr{classe}>\n"
        f'        <th scope="row">{intestazione}</th>\n'
        f"        <td>{unita if c['primo'] else ''}</td>\n"
        f'        <td class="num">{ultimo}</td>\n'
        f'        <td class="cella-valore">\n          {contenuto}\n        </td>\n'
        f"        <td>{stato}</td>\n"
        f"        <td>{nota}</td>\n      </tr>\n      "
    )


# --- The regional dashboard's tables ----------------------------------------------------------
# One call per table instead of a template loop per cell: the national view shows 600
# Ambiti and, for one indicator, ~7.900 Comuni, whose cells written by the template engine
# (a filter, an {% if %} and a reverse() each) were most of the page's time.


def _ambito_link(link, url, ambito_id, testo):
    return f'<a href="{url}?ambito={ambito_id}">{testo}</a>' if link else testo


@register.simple_tag
def righe_regione_ambiti(dati, link):
    """The rows of the regional table of Ambiti (indicatori/_regione_tabelle.html)."""
    from django.urls import reverse

    url_cruscotto = reverse("indicatori:cruscotto")
    url_fondi = reverse("fondi:assegnazione_list")
    url_progetti = reverse("fondi:progetto_list")
    url_avanzamento = reverse("indicatori:avanzamento")
    prima, dopo = reverse("indicatori:completezza", args=[0]).rsplit("/0/", 1)
    incompleti = escape(_("dati incompleti"))
    parti = []
    for r in dati.righe:
        pk = r.ambito.pk
        nome = escape(r.ambito.nome)
        posizione = f"{_text(r.posizione)}. " if r.posizione else ""
        mancanze = (
            ""
            if r.completo
            else f'\n      <br><span class="small fw-normal"><strong>{incompleti}</strong>: '
            f"{escape('; '.join(r.mancanze))}</span>"
        )
        regione = f"<td>{escape(r.ambito.regione)}</td>" if dati.nazionale else ""
        anno_residenti = (
            f' <span class="small">({_text(r.anno_residenti)})</span>'
            if r.anno_residenti and r.anno_residenti != dati.anno
            else ""
        )
        importi = (
            f'<span class="small d-block text-wrap">{euro(r.erogato)} / {euro(r.ammesso)}</span>'
            if r.ammesso
            else ""
        )
        completezza = percentuale(r.completezza)
        if r.periodo:
            if link:
                completezza = f'<a href="{prima}/{int(r.periodo.pk)}/{dopo}">{completezza}</a>'
            completezza += f'<span class="small d-block text-wrap">{escape(r.periodo.nome)}</span>'
        parti.append(
            f"<tr{'' if r.completo else ' class=' + chr(34) + 'incompleto' + chr(34)}>"
            f'<th scope="row"><div class="regione-ambito">{posizione}'
            f"{_ambito_link(link, url_cruscotto, pk, nome)}{mancanze}</div></th>"
            f"{regione}<td>{escape(r.provincia)}</td>"
            f'<td class="num">{numero(r.residenti)}{anno_residenti}</td>'
            f'<td class="num">{_ambito_link(link, url_fondi, pk, euro(r.fondi_per_residente))}'
            "</td>"
            f'<td class="num">{percentuale(r.percentuale_erogato)}{importi}</td>'
            f'<td class="num">{completezza}</td>'
            f'<td class="num">{_ambito_link(link, url_progetti, pk, _text(r.progetti_pnrr))}</td>'
            f'<td class="num">{_text(r.in_ritardo)} / {_text(r.comuni)}</td>'
            f'<td class="num">{_text(r.stati[StatoAvanzamento.IN_LINEA])}</td>'
            f'<td class="num">{_text(r.stati[StatoAvanzamento.A_RISCHIO])}</td>'
            f'<td class="num">{_ambito_link(link, url_avanzamento, pk, _text(r.critici))}</td>'
            "</tr>\n"
        )
    return mark_safe("".join(parti))  # noqa: S308 - every piece above is escaped


@register.simple_tag
def righe_regione_comuni(dati, link):
    """The rows of the regional table of Comuni for one indicator."""
    from django.urls import reverse

    prima, dopo = reverse("ambito:comune_detail", args=[0]).rsplit("/0/", 1)
    nessuno = f'<span class="small">{escape(_("nessun valore approvato"))}</span>'
    parti = []
    for c in dati.comuni:
        nome = escape(c.nome)
        if link:
            nome = f'<a href="{prima}/{int(c.comune_id)}/{dopo}">{nome}</a>'
        regione = f"<td>{escape(c.regione)}</td>" if dati.nazionale else ""
        valore = nessuno if c.valore is None else numero(c.valore, 1)
        per_mille = f'<td class="num">{numero(c.per_mille, 1)}</td>' if dati.per_mille else ""
        parti.append(
            f'<tr><th scope="row">{nome}</th><td>{escape(c.ambito_nome)}</td>{regione}'
            f'<td class="num">{valore}</td><td class="num">{numero(c.residenti)}</td>'
            f"{per_mille}</tr>\n"
        )
    return mark_safe("".join(parti))  # noqa: S308 - every piece above is escaped
