"""Rows of the fondi lists and tables written in Python: one call per table, not a
template loop with a {% url %} and a dozen lookups per cell (most of a page's time)."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ambito.templatetags.zonale import celle_euro, euro, percentuale

register = template.Library()


@register.simple_tag
def righe_progetti(progetti):
    """The rows of the projects' table (fondi/progetto_list.html), from the annotated
    projects of `selectors.progetti_per_tabella` (partner Ambiti prefetched as a list)."""
    prima, dopo = reverse("fondi:progetto_detail", args=[0]).rsplit("/0/", 1)
    partner_etichetta = esc(_("Partner"))
    righe = []
    for p in progetti:
        codice = (
            f'<br><small class="text-muted">{esc(p.codice_locale)}</small>'
            if p.codice_locale
            else ""
        )
        partner = p.ambiti_partner_elenco
        elenco = (
            f'<br><small class="text-muted">{partner_etichetta}: '
            f"{esc(', '.join(str(a) for a in partner))}</small>"
            if partner
            else ""
        )
        scadenza = p.data_scadenza.strftime("%d/%m/%Y") if p.data_scadenza else "—"
        righe.append(
            f'<tr>\n      <th scope="row"><a href="{prima}/{int(p.pk)}/{dopo}">{esc(p.titolo)}</a>'
            f"{codice}</th>\n"
            f'      <td class="cup">{esc(p.cup or "—")}</td>\n'
            f'      <td><abbr title="{esc(p.linea.nome)}">{esc(p.linea.codice)}</abbr></td>\n'
            f"      <td>{esc(p.ambito.nome)}{elenco}</td>\n"
            f'      <td><span class="badge badge-stato stato-{esc(p.stato)}">'
            f"{esc(p.get_stato_display())}</span></td>\n"
            f'      <td class="num">{esc(euro(p.importo_finanziato))}</td>\n'
            f'      <td class="num">{esc(euro(p.ultimo_erogato))}</td>\n'
            f'      <td class="num">{esc(percentuale(p.percentuale_erogato))}</td>\n'
            f"      <td>{scadenza}</td>\n    </tr>"
        )
    return mark_safe("\n".join(righe))  # noqa: S308 - every value above is escaped


# --- The tables of "Fondi in gestione" (fondi/index.html), one call per table body ---


def _testo(valore) -> str:
    """`{{ valore }}` of a text or a whole number: escaped."""
    return esc(str(valore))


@register.simple_tag
def intestazioni_anni(anni):
    """The year headers of a table of the prospetto."""
    return mark_safe("".join(f'<th scope="col" class="num">{int(anno)}</th>' for anno in anni))  # noqa: S308


def _interventi(elenco) -> str:
    if len(elenco) > 1:
        voci = "".join(f"<li>{_testo(voce)}</li>" for voce in elenco)
        return f'<ul class="mb-0 ps-3">{voci}</ul>'
    return _testo(elenco[0]) if elenco and elenco[0] else "—"


@register.simple_tag
def righe_prospetto(prospetto):
    """The rows of the allocations' table: one per funding line, its amount per year."""
    righe = []
    for riga in prospetto.righe:
        linea = riga.linea
        righe.append(
            f'\n    <tr>\n      <th scope="row">{_testo(linea.nome)}<br>'
            f'<small class="text-muted">{_testo(linea.codice)} · '
            f"{_testo(linea.fonte.get_livello_display())}</small></th>\n"
            f'      <td class="interventi">{_interventi(riga.interventi)}</td>\n'
            f"      {celle_euro(riga.importi)}\n    </tr>\n  "
        )
    return mark_safe("".join(righe))  # noqa: S308 - every value above is escaped


@register.simple_tag
def righe_riportati(prospetto):
    """The rows of the check against the totals printed in the documents."""
    coincide = esc(_("coincide"))
    righe = []
    for r in prospetto.riportati:
        differenza = esc(euro(r["differenza"])) if r["differenza"] else coincide
        classe = ' class="discordanza"' if r["differenza"] else ""
        righe.append(
            f'\n    <tr{classe}>\n      <th scope="row">{_testo(r["anno"])}</th>\n'
            f"      <td>{_testo(r['documento'])}</td>\n"
            f'      <td class="num">{esc(euro(r["riportato"]))}</td>\n'
            f'      <td class="num">{esc(euro(r["calcolato"]))}</td>\n'
            f'      <td class="num">{differenza}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(righe))  # noqa: S308 - every value above is escaped


@register.simple_tag
def voci_note(prospetto):
    """The notes on where each year's figures come from, as list items."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f"<li>{_testo(anno)}: {_testo(nota)}</li>"
            for anno, note in prospetto.note.items()
            for nota in note
        )
    )


@register.simple_tag
def righe_livelli(prospetto):
    """The rows of the totals per source level."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<tr><th scope="row">{_testo(voce["etichetta"])}</th>{celle_euro(voce["valori"])}</tr>'
            for voce in prospetto.per_livello
        )
    )


@register.simple_tag
def righe_fonti(prospetto):
    """The rows of the totals per source, with the change over the previous year when
    the table has more than one year."""
    variazione = len(prospetto.anni) > 1
    righe = []
    for voce in prospetto.per_fonte:
        cella = f'<td class="num">{esc(euro(voce["variazione"]))}</td>' if variazione else ""
        righe.append(
            f'<tr><th scope="row">{_testo(voce["fonte_nome"])} '
            f'<small class="text-muted">({_testo(voce["livello"])})</small></th>'
            f"{celle_euro(voce['valori'])}{cella}</tr>"
        )
    return mark_safe("".join(righe))  # noqa: S308 - every value above is escaped
