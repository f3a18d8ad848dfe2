"""The action rules (each app's rules.py) for every role, in and out of scope."""

import datetime
from importlib import import_module

import pytest
import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from ambito.choices import Ruolo
from ambito.models import Ambito
from ambito.platform.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from indicatori.models import Periodo, Valore
from tests.factories import UserFactory, user_with_role
from tests.fondi.factories import ProgettoFactory
from tests.programmi.factories import PianoFactory

ROLES = ["udp", "udp_x", "rev", "op_a", "op_b", "anon", "reg"]


@pytest.fixture
def users(
    ufficio_piano, ufficio_piano_altro, revisore, operatore_rozzano, operatore_binasco, visconteo
):
    # The Regione of Visconteo's region; the other Ambito is in another region.
    Ambito.objects.exclude(pk=visconteo.pk).update(regione="Emilia-Romagna")
    return {
        "reg": user_with_role(Ruolo.REGIONE, visconteo, username="regione.regole"),
        "udp": ufficio_piano,
        "udp_x": ufficio_piano_altro,
        "rev": revisore,
        "op_a": operatore_rozzano,
        "op_b": operatore_binasco,
        "anon": AnonymousUser(),
    }


@pytest.fixture
def periodo(visconteo):
    return Periodo.objects.create(
        ambito=visconteo,
        codice="regole",
        nome="Periodo delle regole",
        tipo="semestrale",
        data_inizio=datetime.date(2031, 1, 1),
        data_fine=datetime.date(2031, 6, 30),
        scadenza=datetime.date(2031, 7, 31),
    )


def allowed(users, perm, obj=None):
    return {role for role in ROLES if users[role].has_perm(perm, obj)}


@pytest.mark.parametrize(
    "perm",
    [
        "ambito.crea_comune",
        "fondi.crea_assegnazione",
        "fondi.crea_progetto",
        "servizi.crea_servizio",
        "servizi.crea_unitaofferta",
        "programmi.crea_pianodizona",
        "programmi.crea_scheda",
    ],
)
def test_creating_is_for_the_ufficio_di_piano(users, perm):
    assert allowed(users, perm) == {"udp", "udp_x"}


@pytest.mark.parametrize(
    "perm",
    [
        "indicatori.approva_valore",
        "indicatori.restituisce_valore",
        "indicatori.chiude_periodo",
        "indicatori.riapre_periodo",
    ],
)
def test_the_workflow_is_for_the_ufficio_di_piano_of_the_period(users, periodo, perm):
    assert allowed(users, perm, periodo) == {"udp"}


def test_a_value_is_approved_by_the_ufficio_di_piano_of_its_period(users, periodo, rozzano):
    valore = Valore(periodo=periodo, comune=rozzano)  # read from its period: no query
    assert allowed(users, "indicatori.approva_valore", valore) == {"udp"}


def test_review_pages_are_read_by_the_ufficio_di_piano_and_the_revisore(users, periodo):
    assert allowed(users, "indicatori.consulta_revisione", periodo) == {"udp", "rev", "reg"}


def test_values_are_entered_by_the_comune_operatore_or_the_ufficio_di_piano(
    users, periodo, rozzano, binasco
):
    assert allowed(users, "indicatori.inserisce_valori", rozzano) == {"udp", "op_a"}
    assert allowed(users, "indicatori.inserisce_valori", binasco) == {"udp", "op_b"}
    # The Ambito-level values (the period stands for the Ambito).
    assert allowed(users, "indicatori.inserisce_valori", periodo) == {"udp"}


def test_reports_dashboard_and_audit_trail(users, visconteo, altro_ambito):
    assert allowed(users, "indicatori.genera_relazione", visconteo) == {"udp", "rev", "reg"}
    assert allowed(users, "indicatori.genera_relazione", altro_ambito) == {"udp_x"}
    lettori = {"udp", "udp_x", "rev", "reg"}
    assert allowed(users, "indicatori.consulta_cruscotto_ambito") == lettori
    # The trail shows drafts too: not for the Regione, which reads approved values only.
    assert allowed(users, "ambito.consulta_registro") == {"udp", "udp_x", "rev"}
    assert allowed(users, "ambito.consulta_regione") == {"reg"}
    # Its own reports: the regional dashboard's PDF, a job.
    assert allowed(users, "ambito.genera_pdf_regione") == {"reg"}


def test_changing_a_row_follows_editable_by(users, visconteo, rozzano):
    progetto = ProgettoFactory(ambito=visconteo)
    piano = PianoFactory(ambito=visconteo)
    assert allowed(users, "fondi.modifica_progetto", progetto) == {"udp"}
    assert allowed(users, "programmi.modifica_pianodizona", piano) == {"udp"}
    assert allowed(users, "ambito.modifica_comune", rozzano) == {"udp"}
    assert allowed(users, "ambito.crea_datidemografici", rozzano) == {"udp", "op_a"}


def test_superuser_passes_and_inactive_user_fails(users, periodo):
    admin = UserFactory(username="admin.regole", is_superuser=True)
    assert admin.has_perm("indicatori.chiude_periodo", periodo)
    assert admin.has_perm("fondi.crea_progetto")
    spento = users["udp"]
    spento.is_active = False
    assert not spento.has_perm("indicatori.chiude_periodo", periodo)
    assert not spento.has_perm("fondi.crea_progetto")


def test_role_rules_ask_no_query_once_the_roles_are_loaded(
    users, periodo, rozzano, django_assert_num_queries
):
    udp, operatore = users["udp"], users["op_a"]
    udp.has_perm("fondi.crea_progetto")  # loads the roles (one query, then cached)
    operatore.has_perm("indicatori.inserisce_valori", rozzano)
    with django_assert_num_queries(0):
        assert udp.has_perm("indicatori.approva_valore", periodo)
        assert udp.has_perm("indicatori.consulta_revisione", periodo)
        assert operatore.has_perm("indicatori.inserisce_valori", rozzano)
        # A refusal does not fall through to the model permissions (two queries).
        assert not operatore.has_perm("ambito.consulta_registro")
        assert not operatore.has_perm("fondi.crea_progetto")


def test_model_permissions_still_come_from_the_database(users):
    """The admin's model permissions are Django's, untouched by the rules."""
    from django.contrib.auth.models import Permission

    operatore = users["op_a"]
    assert not operatore.has_perm("fondi.view_progetto")
    operatore.user_permissions.add(Permission.objects.get(codename="view_progetto"))
    operatore = type(operatore).objects.get(pk=operatore.pk)  # a fresh permission cache
    assert operatore.has_perm("fondi.view_progetto")
    assert not operatore.has_perm("fondi.crea_progetto")


def _scoped_viewsets():
    import_module(settings.ROOT_URLCONF)  # every URLconf, so every viewset is defined
    seen, stack = [], [ScopedViewSetMixin]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if getattr(sub, "queryset", None) is not None:
                seen.append(sub)
    return seen


def test_every_rule_the_api_asks_is_registered():
    """An unregistered name would answer 403 to everyone (fail closed): catch typos."""
    viewsets = _scoped_viewsets()
    assert len(viewsets) > 10
    for viewset in viewsets:
        names = [p for p in viewset.permission_required.values() if p]
        if issubclass(viewset, ScopedModelViewSet):
            names += [viewset().permission_for(action) for action in ("create", "update")]
        for name in filter(None, names):
            assert rules.perm_exists(name), f"{viewset.__name__}: {name}"
