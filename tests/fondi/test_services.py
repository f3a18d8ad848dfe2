"""Rules of the fondi app, enforced by the services (and the models' clean())."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ambito.models import Comune
from fondi import services
from fondi.choices import TRANSIZIONI_STATO, StatoProgetto
from fondi.models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)

from .factories import AvanzamentoFactory, ProgettoFactory, linea

S = StatoProgetto
LEGALI = {(da, a) for da, verso in TRANSIZIONI_STATO.items() for a in verso}
TUTTE = {(da, a) for da in S.values for a in S.values if da != a}
ILLEGALI = TUTTE - LEGALI


def test_the_transition_table_is_the_one_of_the_issue():
    assert LEGALI == {
        (S.CANDIDATO, S.IDONEO_NON_FINANZIATO),
        (S.CANDIDATO, S.AMMESSO),
        (S.IDONEO_NON_FINANZIATO, S.AMMESSO),  # scorrimento della graduatoria
        (S.AMMESSO, S.IN_CORSO),
        (S.IN_CORSO, S.CONCLUSO),
        *((stato, S.REVOCATO) for stato in S.values if stato != S.REVOCATO),
    }
    assert len(ILLEGALI) == 30 - len(LEGALI)


@pytest.mark.parametrize("da, a", sorted(LEGALI))
def test_every_legal_transition_is_saved(visconteo, da, a):
    progetto = ProgettoFactory(ambito=visconteo, stato=da)
    services.progetto_transition(progetto=progetto, stato=a)
    progetto.refresh_from_db()
    assert progetto.stato == a
    assert progetto.history.first().stato == a


@pytest.mark.parametrize("da, a", sorted(ILLEGALI))
def test_every_illegal_transition_is_refused_and_nothing_changes(visconteo, da, a):
    progetto = ProgettoFactory(ambito=visconteo, stato=da)
    storia = progetto.history.count()
    with pytest.raises(ValidationError) as error:
        services.progetto_transition(progetto=progetto, stato=a)
    messaggio = error.value.message_dict["stato"][0]
    assert messaggio.startswith("Passaggio di stato non consentito")
    progetto.refresh_from_db()
    assert progetto.stato == da
    assert progetto.history.count() == storia


def test_illegal_transition_message_names_the_allowed_states(visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato=S.CANDIDATO)
    progetto.stato = S.CONCLUSO
    with pytest.raises(ValidationError) as error:
        services.progetto_update(progetto=progetto)
    assert error.value.message_dict["stato"] == [
        "Passaggio di stato non consentito: da «Candidato» a «Concluso». Stati possibili: "
        "Idoneo non finanziato, Ammesso e finanziato, Revocato."
    ]


def test_revocato_is_final(visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato=S.REVOCATO)
    with pytest.raises(ValidationError) as error:
        services.progetto_transition(progetto=progetto, stato=S.IN_CORSO)
    assert "non può più cambiare stato" in error.value.message_dict["stato"][0]


def _nuovo(visconteo, **campi):
    return Progetto(
        titolo="Nuovo progetto", linea=linea("PNRR-M5C2-1.1.2"), ambito=visconteo, **campi
    )


def test_a_project_is_created_with_partners_comuni_and_a_normalised_cup(
    visconteo, altro_ambito, rozzano
):
    lodi = Comune.objects.get(codice_istat="098031")
    progetto = services.progetto_create(
        progetto=_nuovo(visconteo, cup=" b49j17000130006 "),
        ambiti_partner=[altro_ambito],
        comuni=[rozzano, lodi],
    )
    progetto.refresh_from_db()
    assert progetto.cup == "B49J17000130006"
    assert list(progetto.ambiti_partner.all()) == [altro_ambito]
    assert set(progetto.comuni.all()) == {rozzano, lodi}


def test_a_blank_cup_is_stored_as_null_so_many_projects_may_lack_it(visconteo):
    services.progetto_create(progetto=_nuovo(visconteo, cup=""))
    services.progetto_create(progetto=_nuovo(visconteo, cup="   "))
    assert Progetto.objects.filter(ambito=visconteo, cup__isnull=True).count() >= 5


@pytest.mark.parametrize(
    "cup", ["B49J1700013000", "B49J170001300066", "B49J17000-30006", "B49J17000 3000É"]
)
def test_malformed_cup_is_refused(visconteo, cup):
    prima = Progetto.objects.count()
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo, cup=cup))
    assert error.value.message_dict["cup"] == [
        "Il CUP deve essere composto da esattamente 15 lettere maiuscole e cifre."
    ]
    assert Progetto.objects.count() == prima


def test_duplicate_cup_is_refused_even_typed_in_lower_case(visconteo):
    services.progetto_create(progetto=_nuovo(visconteo, cup="B49J17000130006"))
    prima = Progetto.objects.count()
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo, cup="b49j17000130006"))
    assert error.value.message_dict["cup"] == ["Esiste già un progetto con questo CUP."]
    assert Progetto.objects.count() == prima


def test_end_before_start_is_refused(visconteo):
    progetto = _nuovo(
        visconteo, data_inizio=datetime.date(2024, 5, 1), data_fine=datetime.date(2024, 4, 30)
    )
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=progetto)
    assert error.value.message_dict["data_fine"] == [
        "La data di fine non può precedere la data di inizio."
    ]
    assert progetto.pk is None


def test_deadline_before_start_is_refused(visconteo):
    progetto = _nuovo(
        visconteo, data_inizio=datetime.date(2024, 5, 1), data_scadenza=datetime.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=progetto)
    assert "data_scadenza" in error.value.message_dict


def test_comuni_must_belong_to_the_lead_or_a_partner(visconteo, altro_ambito, rozzano):
    lodi = Comune.objects.get(codice_istat="098031")
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo), comuni=[rozzano, lodi])
    assert error.value.message_dict["comuni"] == [
        "Non appartengono all'Ambito capofila né agli Ambiti partner: Lodi."
    ]
    assert not Progetto.objects.filter(titolo="Nuovo progetto").exists()


def test_the_lead_cannot_be_its_own_partner(visconteo):
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo), ambiti_partner=[visconteo])
    assert "ambiti_partner" in error.value.message_dict


def test_soggetto_attuatore_must_be_an_ente_of_lead_or_partner(visconteo, altro_ambito):
    from tests.factories import EnteFactory

    estraneo = EnteFactory(ambito=altro_ambito)
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo, soggetto_attuatore=estraneo))
    assert "soggetto_attuatore" in error.value.message_dict
    progetto = services.progetto_create(
        progetto=_nuovo(visconteo, soggetto_attuatore=estraneo), ambiti_partner=[altro_ambito]
    )
    assert progetto.soggetto_attuatore == estraneo


def test_duplicate_local_code_in_the_same_ambito_is_refused(visconteo, altro_ambito):
    services.progetto_create(progetto=_nuovo(visconteo, codice_locale="VSM-01"))
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=_nuovo(visconteo, codice_locale="VSM-01"))
    assert "codice_locale" in error.value.message_dict
    # another Ambito may use the same local code
    services.progetto_create(progetto=_nuovo(altro_ambito, codice_locale="VSM-01"))


def test_all_errors_are_reported_together(visconteo):
    progetto = _nuovo(
        visconteo,
        cup="ABC",
        data_inizio=datetime.date(2024, 5, 1),
        data_fine=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=progetto, ambiti_partner=[visconteo])
    assert {"cup", "data_fine", "ambiti_partner"} <= set(error.value.message_dict)


# --- Allocations -----------------------------------------------------------------------


def test_negative_allocation_is_refused(visconteo):
    prima = Assegnazione.objects.count()
    assegnazione = Assegnazione(
        ambito=visconteo, linea=linea("FNPS"), anno=2024, importo=Decimal("-0.01")
    )
    with pytest.raises(ValidationError) as error:
        services.assegnazione_save(assegnazione=assegnazione)
    assert error.value.message_dict["importo"] == ["L'importo non può essere negativo."]
    assert Assegnazione.objects.count() == prima


def test_duplicate_allocation_of_a_line_in_a_year_is_refused(visconteo):
    doppione = Assegnazione(
        ambito=visconteo, linea=linea("FNPS"), anno=2023, importo=Decimal("1.00")
    )
    with pytest.raises(ValidationError) as error:
        services.assegnazione_save(assegnazione=doppione)
    assert error.value.message_dict["anno"] == [
        "Esiste già un'assegnazione di questa linea all'Ambito per il 2023: modificare quella."
    ]
    fnps = Assegnazione.objects.get(ambito=visconteo, linea__codice="FNPS", anno=2023)
    assert fnps.importo == Decimal("653552.00")


def test_year_out_of_range_is_refused(visconteo):
    with pytest.raises(ValidationError) as error:
        services.assegnazione_save(
            assegnazione=Assegnazione(
                ambito=visconteo, linea=linea("FNPS"), anno=1800, importo=Decimal("1")
            )
        )
    assert error.value.message_dict["anno"] == ["L'anno deve essere compreso tra 1900 e 2100."]


# --- Funding amounts and progress snapshots -----------------------------------------------


def test_a_project_may_have_several_lines_but_each_once(visconteo):
    progetto = ProgettoFactory(ambito=visconteo)
    services.finanziamento_save(
        finanziamento=FinanziamentoProgetto(
            progetto=progetto, linea=linea("PNRR-M5C2-1.1.1"), importo=Decimal("10")
        )
    )
    services.finanziamento_save(
        finanziamento=FinanziamentoProgetto(
            progetto=progetto, linea=linea("GSE"), importo=Decimal("5.50")
        )
    )
    with pytest.raises(ValidationError) as error:
        services.finanziamento_save(
            finanziamento=FinanziamentoProgetto(
                progetto=progetto, linea=linea("GSE"), importo=Decimal("1")
            )
        )
    assert "linea" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.finanziamento_save(
            finanziamento=FinanziamentoProgetto(
                progetto=progetto, linea=linea("FSE"), importo=Decimal("-1")
            )
        )
    assert error.value.message_dict["importo"] == ["L'importo non può essere negativo."]
    assert progetto.finanziamenti.count() == 2


def _avanzamento(progetto, **importi):
    valori = {"programmato": 100, "ammesso": 100, "vincolante": 50, "erogato": 10} | importi
    return AvanzamentoFinanziario(
        progetto=progetto,
        data=datetime.date(2025, 3, 31),
        **{k: Decimal(v) for k, v in valori.items()},
    )


@pytest.mark.parametrize(
    "importi, campo, messaggio",
    [
        (
            {"erogato": "50.01"},
            "erogato",
            "L'importo erogato non può superare l'importo giuridicamente vincolante.",
        ),
        (
            {"vincolante": "100.01", "erogato": "0"},
            "vincolante",
            "L'importo giuridicamente vincolante non può superare l'importo ammesso a "
            "finanziamento.",
        ),
        ({"programmato": "-1"}, "programmato", "L'importo non può essere negativo."),
        ({"ammesso": "-1", "vincolante": "0", "erogato": "0"}, "ammesso", None),
        ({"erogato": "-0.01"}, "erogato", "L'importo non può essere negativo."),
    ],
)
def test_bad_progress_snapshots_are_refused(visconteo, importi, campo, messaggio):
    progetto = ProgettoFactory(ambito=visconteo)
    with pytest.raises(ValidationError) as error:
        services.avanzamento_save(avanzamento=_avanzamento(progetto, **importi))
    messaggi = error.value.message_dict[campo]
    assert messaggi == [messaggio or "L'importo non può essere negativo."]
    assert not progetto.avanzamenti.exists()


def test_progress_rules_allow_the_limits(visconteo):
    progetto = ProgettoFactory(ambito=visconteo)
    services.avanzamento_save(
        avanzamento=_avanzamento(progetto, ammesso="50", vincolante="50", erogato="50")
    )
    assert progetto.avanzamenti.get().percentuale_erogato == 100


def test_snapshots_keep_their_history_and_a_date_is_used_once(visconteo):
    progetto = ProgettoFactory(ambito=visconteo)
    AvanzamentoFactory(progetto=progetto, data=datetime.date(2024, 12, 31))
    services.avanzamento_save(avanzamento=_avanzamento(progetto))
    with pytest.raises(ValidationError) as error:
        services.avanzamento_save(avanzamento=_avanzamento(progetto))
    assert "data" in error.value.message_dict
    assert progetto.avanzamenti.count() == 2


def test_a_future_snapshot_is_refused(visconteo):
    progetto = ProgettoFactory(ambito=visconteo)
    avanzamento = _avanzamento(progetto)
    avanzamento.data = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.avanzamento_save(avanzamento=avanzamento)
    assert error.value.message_dict["data"] == ["La data di rilevazione non può essere futura."]


@pytest.mark.parametrize(
    "importi",
    [
        {"erogato": "60"},
        {"vincolante": "120", "erogato": "0"},
        {"programmato": "-5"},
    ],
)
def test_the_database_backs_the_progress_rules(visconteo, importi):
    progetto = ProgettoFactory(ambito=visconteo)
    with pytest.raises(IntegrityError), transaction.atomic():
        _avanzamento(progetto, **importi).save()  # bypassing the service


def test_the_database_backs_the_project_rules(visconteo):
    with pytest.raises(IntegrityError), transaction.atomic():
        _nuovo(visconteo, cup="abc").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _nuovo(
            visconteo, data_inizio=datetime.date(2024, 2, 1), data_fine=datetime.date(2024, 1, 1)
        ).save()


def test_a_line_stays_under_its_own_source_and_outside_its_subtree(db):
    m5c2 = LineaFinanziamento.objects.get(codice="PNRR-M5C2")
    m5c2.parent = LineaFinanziamento.objects.get(codice="PNRR-M5C2-1.3.2")
    with pytest.raises(ValidationError) as error:
        services.linea_save(linea=m5c2)
    assert "parent" in error.value.message_dict
    gse = LineaFinanziamento.objects.get(codice="GSE")
    gse.parent = m5c2
    with pytest.raises(ValidationError) as error:
        services.linea_save(linea=gse)
    assert error.value.message_dict["parent"] == [
        "La linea superiore deve appartenere alla stessa fonte."
    ]
