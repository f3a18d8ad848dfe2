"""Business rules of the programmi services: Italian message on the field, nothing saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programmi import services
from programmi.choices import StatoPiano
from programmi.models import MacroArea, Obiettivo, PianoDiZona, Scheda, Valutazione, VoceScheda
from tests.factories import AmbitoFactory

from .factories import PianoFactory


def _errore(excinfo, campo):
    return " ".join(excinfo.value.message_dict[campo])


def test_specific_objective_under_a_general_objective_of_another_plan(piano_2022, piano_2025):
    generale_2022 = Obiettivo.objects.get(piano=piano_2022, numero="1")
    nuovo = Obiettivo(piano=piano_2025, parent=generale_2022, numero="1.9", titolo="Prova")
    with pytest.raises(ValidationError) as excinfo:
        services.obiettivo_save(obiettivo=nuovo)
    assert "stesso Piano di Zona" in _errore(excinfo, "parent")
    assert not Obiettivo.objects.filter(piano=piano_2025, numero="1.9").exists()


@pytest.mark.parametrize(
    "numero, parent_numero, campo, messaggio",
    [
        ("1.x", None, "numero", "nella forma 1 (obiettivo generale) o 1.2"),
        ("2.7", "1", "numero", "inizia con quello del suo obiettivo generale"),
        ("1.1.1", None, "numero", "nella forma 1"),
        ("1.8", "1.1", "parent", "è già un obiettivo specifico"),
        ("11.1", None, "parent", "deve avere un obiettivo generale"),
    ],
)
def test_objective_numbering_rules(piano_2022, numero, parent_numero, campo, messaggio):
    parent = (
        Obiettivo.objects.get(piano=piano_2022, numero=parent_numero) if parent_numero else None
    )
    obiettivo = Obiettivo(piano=piano_2022, parent=parent, numero=numero, titolo="Prova")
    with pytest.raises(ValidationError) as excinfo:
        services.obiettivo_save(obiettivo=obiettivo)
    assert messaggio in _errore(excinfo, campo)
    assert not Obiettivo.objects.filter(piano=piano_2022, numero=numero).exists()


def test_specific_objective_takes_the_macro_area_of_its_general(piano_2022):
    generale = Obiettivo.objects.get(piano=piano_2022, numero="4")
    nuovo = services.obiettivo_save(
        obiettivo=Obiettivo(piano=piano_2022, parent=generale, numero="4.3", titolo="Prova")
    )
    assert nuovo.macro_area.lettera == "B"
    altra_area = MacroArea.objects.get(piano=piano_2022, lettera="A")
    nuovo.macro_area = altra_area
    with pytest.raises(ValidationError) as excinfo:
        services.obiettivo_save(obiettivo=nuovo)
    assert "macro-area del suo obiettivo generale" in _errore(excinfo, "macro_area")


def test_macro_area_of_another_plan_is_refused(piano_2022, piano_2025):
    area_2025 = MacroArea.objects.get(piano=piano_2025, lettera="A")
    obiettivo = Obiettivo(piano=piano_2022, numero="20", titolo="Prova", macro_area=area_2025)
    with pytest.raises(ValidationError) as excinfo:
        services.obiettivo_save(obiettivo=obiettivo)
    assert "stesso Piano di Zona" in _errore(excinfo, "macro_area")


def test_objectives_sort_by_number_not_by_text(piano_2022):
    numeri = list(
        Obiettivo.objects.filter(piano=piano_2022, parent__isnull=True).values_list(
            "numero", flat=True
        )
    )
    assert numeri[-2:] == ["9", "10"]


@pytest.mark.parametrize("grado", [-1, 101, 250])
def test_percentage_reached_outside_0_100(piano_2022, grado):
    valutazione = Valutazione.objects.get(obiettivo__piano=piano_2022, obiettivo__numero="1")
    valutazione.grado_raggiungimento = grado
    with pytest.raises(ValidationError) as excinfo:
        services.valutazione_save(valutazione=valutazione)
    assert "tra 0 e 100" in _errore(excinfo, "grado_raggiungimento")
    valutazione.refresh_from_db()
    assert valutazione.grado_raggiungimento == 80


def test_negative_budget_is_refused(scheda_1):
    scheda_1.budget = Decimal("-1.00")
    with pytest.raises(ValidationError) as excinfo:
        services.scheda_save(scheda=scheda_1)
    assert _errore(excinfo, "budget") == "Il budget non può essere negativo."
    scheda_1.refresh_from_db()
    assert scheda_1.budget == Decimal("195000.00")


def test_scheda_objective_must_be_of_the_same_plan(scheda_1, piano_2022):
    scheda_1.obiettivo = Obiettivo.objects.get(piano=piano_2022, numero="1")
    with pytest.raises(ValidationError) as excinfo:
        services.scheda_save(scheda=scheda_1)
    assert "stesso Piano di Zona della scheda" in _errore(excinfo, "obiettivo")


def test_scheda_lists_are_saved_in_order_and_rewritten_in_place(scheda_1):
    prima = {v.ordine: v.pk for v in scheda_1.voci.filter(tipo="obiettivo")}
    nuovi = ["Terzo", "Primo", "Secondo"]
    services.scheda_save(scheda=scheda_1, voci={"obiettivi": nuovi})
    scheda_1 = Scheda.objects.get(pk=scheda_1.pk)
    assert scheda_1.elenchi["obiettivi"] == nuovi
    dopo = {v.ordine: v.pk for v in scheda_1.voci.filter(tipo="obiettivo")}
    assert [dopo[n] for n in (1, 2, 3)] == [prima[n] for n in (1, 2, 3)]  # same rows
    assert len(scheda_1.elenchi["azioni"]) == 8  # lists not named stay as they are


def test_scheda_list_items_are_trimmed_and_one_line_each(scheda_1):
    services.scheda_save(scheda=scheda_1, voci={"azioni": ["  a  ", "", "b"]})
    assert Scheda.objects.get(pk=scheda_1.pk).elenchi["azioni"] == ["a", "b"]
    with pytest.raises(ValidationError) as excinfo:
        services.scheda_save(scheda=scheda_1, voci={"azioni": ["una\nvoce su due righe"]})
    assert "una sola riga" in _errore(excinfo, "azioni")
    assert Scheda.objects.get(pk=scheda_1.pk).elenchi["azioni"] == ["a", "b"]


def test_services_of_another_ambito_are_refused(scheda_1):
    from servizi.models import AreaIntervento, Servizio

    area = AreaIntervento.objects.create(codice="prova", nome="Prova")
    estraneo = Servizio.objects.create(ambito=AmbitoFactory(), nome="Altrove", area=area)
    with pytest.raises(ValidationError) as excinfo:
        services.scheda_save(scheda=scheda_1, servizi=[estraneo])
    assert "dell'Ambito del Piano di Zona" in _errore(excinfo, "servizi")
    assert not scheda_1.servizi.exists()


def test_a_draft_plan_has_no_approval_date(visconteo):
    import datetime

    piano = PianoDiZona(
        ambito=visconteo,
        anno_inizio=2028,
        anno_fine=2030,
        stato=StatoPiano.BOZZA,
        data_approvazione=datetime.date(2028, 1, 15),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.piano_save(piano=piano)
    assert "in bozza" in _errore(excinfo, "data_approvazione")
    piano.stato = StatoPiano.APPROVATO
    assert services.piano_save(piano=piano).pk


def test_plan_years_and_uniqueness(visconteo):
    with pytest.raises(ValidationError) as excinfo:
        services.piano_save(piano=PianoDiZona(ambito=visconteo, anno_inizio=2030, anno_fine=2029))
    assert "non può precedere" in _errore(excinfo, "anno_fine")
    with pytest.raises(ValidationError) as excinfo:
        services.piano_save(piano=PianoDiZona(ambito=visconteo, anno_inizio=2025, anno_fine=2027))
    assert "Esiste già un Piano di Zona" in " ".join(excinfo.value.messages)


def test_premial_activity_percentage_is_checked(visconteo):
    from programmi.models import ProgettoPremiale

    piano = PianoFactory(ambito=visconteo)
    progetto = ProgettoPremiale(piano=piano, numero=1, titolo="Prova")
    with pytest.raises(ValidationError) as excinfo:
        services.progetto_premiale_save(
            progetto=progetto, attivita=[{"attivita": "A", "percentuale": 120}]
        )
    assert "Riga 1" in _errore(excinfo, "attivita")


def test_history_records_list_changes(scheda_1, ufficio_piano):
    voce = VoceScheda.objects.get(scheda=scheda_1, tipo="obiettivo", ordine=1)
    services.scheda_save(scheda=scheda_1, voci={"obiettivi": ["Nuovo primo obiettivo"]})
    assert voce.history.first().testo == "Nuovo primo obiettivo"
