"""The named rules of an indicator: one service saves, the admin shows the same messages."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import RequestFactory

from indicatori import services
from indicatori.choices import AggregazioneComuni, Livello, UnitaMisura
from indicatori.models import Indicatore, Valore
from programmi.models import PianoDiZona

from .factories import IndicatoreFactory

pytestmark = pytest.mark.django_db


def _messaggi(excinfo, campo):
    return excinfo.value.message_dict[campo]


def _rifiutato(indicatore, campo):
    """Save through the service: refused, nothing saved, the messages of `campo`."""
    prima = Indicatore.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.indicatore_save(indicatore=indicatore)
    assert Indicatore.objects.count() == prima
    return _messaggi(excinfo, campo)


def _nuovo(piano, **campi):
    return IndicatoreFactory.build(piano=piano, codice="T.NUOVO", **campi)


def test_a_valid_indicator_is_saved(piano):
    indicatore = services.indicatore_save(indicatore=_nuovo(piano))
    assert Indicatore.objects.filter(pk=indicatore.pk, codice="T.NUOVO").exists()


def test_a_qualitative_indicator_has_no_numeric_target_nor_sum(piano):
    indicatore = _nuovo(piano, unita=UnitaMisura.TESTO, valore_atteso=Decimal(5))
    assert _rifiutato(indicatore, "valore_atteso") == [
        "Un indicatore qualitativo ha un valore atteso descrittivo, non numerico."
    ]
    indicatore = _nuovo(piano, unita=UnitaMisura.TESTO, aggregazione_comuni="somma")
    assert _rifiutato(indicatore, "aggregazione_comuni") == [
        "I valori qualitativi non si sommano né si mediano tra Comuni."
    ]


def test_an_expected_percentage_is_at_most_100(piano):
    indicatore = _nuovo(piano, unita=UnitaMisura.PERCENTUALE, valore_atteso=Decimal(120))
    assert _rifiutato(indicatore, "valore_atteso") == [
        "Una percentuale attesa deve essere compresa tra 0 e 100."
    ]


def test_a_weighted_mean_has_no_exhaustive_categories(piano):
    indicatore = _nuovo(
        piano, aggregazione_comuni=AggregazioneComuni.MEDIA_PESATA, categorie_esaustive=True
    )
    assert "Una media pesata" in _rifiutato(indicatore, "aggregazione_comuni")[0]


def test_a_computed_percentage_needs_two_counts_of_the_same_plan_and_level(piano, conteggio):
    solo_numeratore = _nuovo(piano, unita=UnitaMisura.PERCENTUALE, numeratore=conteggio)
    assert _rifiutato(solo_numeratore, "denominatore") == [
        "Una percentuale calcolata richiede sia il numeratore sia il denominatore."
    ]
    non_percentuale = _nuovo(piano, numeratore=conteggio, denominatore=conteggio)
    assert _rifiutato(non_percentuale, "unita") == [
        "Solo una percentuale può essere calcolata da due conteggi."
    ]
    di_ambito = IndicatoreFactory(piano=piano, codice="T.AMB", livello=Livello.AMBITO)
    livelli_diversi = _nuovo(
        piano, unita=UnitaMisura.PERCENTUALE, numeratore=conteggio, denominatore=di_ambito
    )
    assert _rifiutato(livelli_diversi, "denominatore") == [
        "Deve essere rilevato allo stesso livello (Comune o Ambito)."
    ]


def test_the_objective_must_be_of_the_same_plan(piano, visconteo):
    altro_piano = PianoDiZona.objects.filter(ambito=visconteo).exclude(pk=piano.pk).first()
    indicatore = _nuovo(piano, obiettivo=altro_piano.obiettivi.first())
    assert _rifiutato(indicatore, "obiettivo") == [
        "Deve appartenere allo stesso Piano di Zona dell'indicatore."
    ]


def test_the_collection_window_does_not_end_before_it_starts(piano):
    indicatore = _nuovo(piano)
    indicatore.rilevazione_al = indicatore.rilevazione_dal.replace(year=2021)
    assert _rifiutato(indicatore, "rilevazione_al") == [
        "La fine della rilevazione non può precedere l'inizio."
    ]


def test_the_admin_shows_the_service_rule_next_to_the_field(piano, django_user_model):
    """The admin form runs the same validators: the message sits on the field."""
    conteggio = IndicatoreFactory(piano=piano, codice="T.ADMIN")
    request = RequestFactory().post("/")
    request.user = django_user_model.objects.create_superuser("adm", "a@example.org", "x")
    model_admin = admin.site._registry[Indicatore]
    form_class = model_admin.get_form(request, conteggio, change=True)
    dati = {k: v for k, v in model_to_dict(conteggio).items() if v is not None}
    dati |= {"unita": UnitaMisura.PERCENTUALE, "valore_atteso": "150"}
    form = form_class(data=dati, instance=conteggio)
    assert not form.is_valid()
    assert form.errors["valore_atteso"] == [
        "Una percentuale attesa deve essere compresa tra 0 e 100."
    ]
    conteggio.refresh_from_db()
    assert conteggio.unita == UnitaMisura.CONTEGGIO


def test_a_new_value_may_not_take_a_cell_that_has_one(
    operatore_rozzano, rozzano, periodo_2026, conteggio
):
    cella = {"periodo": periodo_2026, "comune": rozzano, "indicatore": conteggio}
    primo = services.valore_create(user=operatore_rozzano, valore_numerico=Decimal(3), **cella)
    with pytest.raises(ValidationError) as excinfo:
        services.valore_create(user=operatore_rozzano, valore_numerico=Decimal(4), **cella)
    assert _messaggi(excinfo, "versione") == [
        f"Il valore di questa cella esiste già (id {primo.pk}, versione 1): "
        "modificarlo con PATCH indicando la versione."
    ]
    assert list(
        Valore.objects.filter(periodo=periodo_2026).values_list("valore_numerico", flat=True)
    ) == [Decimal(3)]
