from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ruoli

# The main menu: (URL name, label, the rule to see it, if any). One list, one rule for
# the active entry.
MENU_PRINCIPALE = [
    ("indicatori:cruscotto", _("Cruscotto"), None),
    ("ambito:comune_list", _("Territorio"), None),
    ("fondi:index", _("Fondi"), None),
    ("servizi:index", _("Servizi"), None),
    ("programmi:index", _("Programmazione"), None),
    ("indicatori:index", _("Indicatori"), None),
    ("report:index", _("Report"), None),
    ("registro:index", _("Registro modifiche"), "ambito.consulta_registro"),
    ("utenti:utente_list", _("Utenti"), "ambito.gestisce_utenti"),
    ("impostazione:ambito_list", _("Ambiti"), "ambito.crea_ambito"),
]


@dataclass(frozen=True)
class VoceMenu:
    url: str
    etichetta: str
    attiva: bool = False


def menu_principale(path, user):
    """The menu entries the user sees; the one whose URL is the longest prefix of the
    current path is active, so /indicatori/cruscotto/ lights "Cruscotto" only, not
    "Indicatori" as well."""
    voci = [
        (reverse(name), label)
        for name, label, regola in MENU_PRINCIPALE
        if regola is None or user.has_perm(regola)
    ]
    matching = [url for url, _label in voci if path.startswith(url) and url != "/"]
    attiva = max(matching, key=len, default=None)
    return [VoceMenu(url, label, url == attiva) for url, label in voci]


def ambito_corrente(request):
    """The Ambiti and role of the user, and the main menu, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    r = ruoli(user)
    return {
        "ruoli": r,
        "ambiti_utente": r.ambiti,
        "menu_principale": menu_principale(request.path, user),
    }
