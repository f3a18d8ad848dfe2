"""Rows of the fondi lists written in Python: one call per table, not a template loop
with a {% url %} and a dozen lookups per cell (most of a list page's time)."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ambito.templatetags.zonale import euro, percentuale

register = template.Library()


@register.simple_tag
def righe_progetti(progetti):
    """The rows of the projects' table (fondi/progetto_list.html), from the annotated
    projects of `selectors.progetti_per_tabella` (partner Ambiti prefetched)."""
    prima, dopo = reverse("fondi:progetto_detail", args=[0]).rsplit("/0/", 1)
    partner_etichetta = esc(_("Partner"))
    righe = []
    for p in progetti:
        codice = (
            f'<br><small class="text-muted">{esc(p.codice_locale)}</small>'
            if p.codice_locale
            else ""
        )
        partner = p.ambiti_partner.all()
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
