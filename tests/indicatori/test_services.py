"""Every rule of the values, in the one service that forms, admin and API share."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicatori import services
from indicatori.choices import AzionePeriodo, StatoPeriodo, StatoValore
from indicatori.models import EventoPeriodo, Valore
from indicatori.services import Cella, ErroriValori

pytestmark = pytest.mark.django_db


def salva(user, periodo, comune, *celle, **kwargs):
    return services.valori_save(
        user=user, periodo=periodo, comune=comune, celle=list(celle), **kwargs
    )


def messaggi(error: ErroriValori, campo=None):
    return [e.messaggio for e in error.errori if campo is None or e.campo == campo]


def n_valori(periodo):
    return Valore.objects.filter(periodo=periodo).count()


# --- values must fit the unit ---------------------------------------------------------


def test_a_count_cannot_be_negative(operatore_rozzano, rozzano, periodo_2026, conteggio):
    with pytest.raises(ErroriValori) as error:
        salva(operatore_rozzano, periodo_2026, rozzano, Cella(conteggio, valore_numerico=-1))
    assert messaggi(error.value, "valore_numerico") == ["Il valore non può essere negativo."]
    assert error.value.message_dict == {"valore_numerico": ["Il valore non può essere negativo."]}
    assert n_valori(periodo_2026) == 0


def test_a_count_is_an_integer(operatore_rozzano, rozzano, periodo_2026, conteggio):
    with pytest.raises(ErroriValori) as error:
        salva(
            operatore_rozzano,
            periodo_2026,
            rozzano,
            Cella(conteggio, valore_numerico=Decimal("2.5")),
        )
    assert messaggi(error.value) == ["Un conteggio deve essere un numero intero."]
    assert n_valori(periodo_2026) == 0


def test_a_percentage_is_between_0_and_100(ufficio_piano, aperto, indicatore):
    partecipazione = indicatore("5.OUT.1")  # % partecipazione, Ambito, yearly
    Valore.objects.filter(indicatore=partecipazione, periodo=aperto).delete()
    with pytest.raises(ErroriValori) as error:
        salva(ufficio_piano, aperto, None, Cella(partecipazione, valore_numerico=Decimal("100.5")))
    assert messaggi(error.value) == ["Una percentuale deve essere compresa tra 0 e 100."]
    assert not Valore.objects.filter(indicatore=partecipazione, periodo=aperto).exists()
    (salvato,) = salva(
        ufficio_piano, aperto, None, Cella(partecipazione, valore_numerico=Decimal(100))
    )
    assert salvato.valore_numerico == 100


def test_text_and_numbers_do_not_mix(ufficio_piano, aperto, indicatore, conteggio):
    brand = indicatore("1.PRO.4")  # qualitative, Ambito level
    Valore.objects.filter(indicatore=brand, periodo=aperto).delete()
    with pytest.raises(ErroriValori) as error:
        salva(ufficio_piano, aperto, None, Cella(brand, valore_numerico=Decimal(1)))
    assert messaggi(error.value) == ["Questo indicatore è qualitativo: scrivere un testo."]


def test_categories_may_not_exceed_the_total(operatore_rozzano, rozzano, aperto, indicatore):
    beneficiari = indicatore("4.OUT.4")
    anziani, disabili, _minori = beneficiari.categorie.order_by("ordine")
    with pytest.raises(ErroriValori) as error:
        salva(
            operatore_rozzano,
            aperto,
            rozzano,
            Cella(beneficiari, valore_numerico=Decimal(3)),
            Cella(beneficiari, anziani, valore_numerico=Decimal(2)),
            Cella(beneficiari, disabili, valore_numerico=Decimal(2)),
        )
    (errore,) = error.value.errori
    assert errore.chiave == f"{beneficiari.pk}-tot"  # shown next to the total
    assert errore.messaggio == "La somma delle categorie (4) supera il totale (3)."
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()


def test_categories_need_the_total(operatore_rozzano, rozzano, aperto, indicatore):
    beneficiari = indicatore("4.OUT.4")
    anziani = beneficiari.categorie.get(codice="anziani")
    with pytest.raises(ErroriValori) as error:
        salva(operatore_rozzano, aperto, rozzano, Cella(beneficiari, anziani, valore_numerico=1))
    assert messaggi(error.value) == [
        "Inserire anche il totale: le categorie ne sono una parte («di cui»)."
    ]


def test_categories_equal_to_the_total_are_fine(operatore_rozzano, rozzano, aperto, indicatore):
    beneficiari = indicatore("4.OUT.4")
    anziani, disabili, minori = beneficiari.categorie.order_by("ordine")
    salvati = salva(
        operatore_rozzano,
        aperto,
        rozzano,
        Cella(beneficiari, valore_numerico=Decimal(5)),
        Cella(beneficiari, anziani, valore_numerico=Decimal(2)),
        Cella(beneficiari, disabili, valore_numerico=Decimal(1)),
        Cella(beneficiari, minori, valore_numerico=Decimal(2)),
    )
    assert len(salvati) == 4
    assert {v.stato for v in salvati} == {StatoValore.BOZZA}
    assert {v.inserito_da for v in salvati} == {operatore_rozzano}


def test_a_computed_percentage_is_not_typed(operatore_rozzano, rozzano, aperto, indicatore):
    with pytest.raises(ErroriValori) as error:
        salva(operatore_rozzano, aperto, rozzano, Cella(indicatore("4.IMP.1"), valore_numerico=10))
    assert "calcolata dal numeratore e dal denominatore" in messaggi(error.value)[0]


def test_a_closed_period_refuses_writes(operatore_rozzano, rozzano, chiuso, indicatore):
    assert chiuso.stato == StatoPeriodo.CHIUSO
    prima = n_valori(chiuso)
    with pytest.raises(ErroriValori) as error:
        salva(operatore_rozzano, chiuso, rozzano, Cella(indicatore("SRV.PIS"), valore_numerico=3))
    assert error.value.message_dict["periodo"][0].startswith(
        "Il periodo «1° semestre 2025» è chiuso"
    )
    assert n_valori(chiuso) == prima
    with pytest.raises(ValidationError):
        services.valori_submit(user=operatore_rozzano, periodo=chiuso, comune=rozzano)


# --- far from the history: confirm ------------------------------------------------------


def test_a_value_far_from_history_needs_confirmation(
    operatore_rozzano, rozzano, aperto, indicatore
):
    # Rozzano's approved PIS interventions: 11 (2023), 5 (2024), 4 (2025 S1): median 5.
    pis = indicatore("SRV.PIS")
    with pytest.raises(ErroriValori) as error:
        salva(operatore_rozzano, aperto, rozzano, Cella(pis, valore_numerico=Decimal(16)))
    assert error.value.solo_anomalie
    assert messaggi(error.value, "conferma_anomalia") == [
        "Il valore 16 è più del triplo della mediana dei periodi precedenti (5). "
        "Se è corretto, conferma lo scostamento."
    ]
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()

    (valore,) = salva(
        operatore_rozzano,
        aperto,
        rozzano,
        Cella(pis, valore_numerico=Decimal(16)),
        conferma_anomalie=True,
    )
    assert valore.valore_numerico == 16 and valore.anomalia_confermata


def test_three_times_the_median_is_still_normal(operatore_rozzano, rozzano, aperto, indicatore):
    (valore,) = salva(
        operatore_rozzano, aperto, rozzano, Cella(indicatore("SRV.PIS"), valore_numerico=15)
    )
    assert not valore.anomalia_confermata


# --- all or nothing ---------------------------------------------------------------------


def test_a_submission_with_one_error_saves_nothing(operatore_rozzano, rozzano, aperto, indicatore):
    with pytest.raises(ErroriValori) as error:
        salva(
            operatore_rozzano,
            aperto,
            rozzano,
            Cella(indicatore("1.OUT.1"), valore_numerico=Decimal(12)),
            Cella(indicatore("1.PRO.2"), valore_numerico=Decimal(30)),
            Cella(indicatore("1.IMP.1"), valore_numerico=Decimal(-4)),
        )
    assert len(error.value.errori) == 1
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()


def test_a_conflict_found_while_writing_rolls_back_the_cells_already_written(
    monkeypatch, operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti, partecipanti = indicatore("1.OUT.1"), indicatore("1.PRO.2")
    (letto,) = salva(operatore_rozzano, aperto, rozzano, Cella(partecipanti, valore_numerico=30))
    # Another user saves the same cell after our checks ran but before our write.
    salva(ufficio_piano, aperto, rozzano, Cella(partecipanti, valore_numerico=31, versione=1))
    originale = services._esistenti
    monkeypatch.setattr(
        services,
        "_esistenti",
        lambda *a, **k: {**originale(*a, **k), f"{partecipanti.pk}-tot": letto},
    )
    with pytest.raises(ErroriValori) as error:
        salva(
            operatore_rozzano,
            aperto,
            rozzano,
            Cella(contatti, valore_numerico=12),  # new cell, written first
            Cella(partecipanti, valore_numerico=35, versione=1),  # stale: refused
        )
    assert messaggi(error.value, "versione")
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano, indicatore=contatti).exists()
    assert Valore.objects.get(periodo=aperto, comune=rozzano).valore_numerico == 31


# --- two users on the same cell ---------------------------------------------------------


def test_the_second_save_of_the_same_version_is_refused(
    operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti = indicatore("1.OUT.1")
    (valore,) = salva(operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=10))
    assert valore.versione == 1
    # Both open the grid at version 1; the operator saves first.
    salva(operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=11, versione=1))
    with pytest.raises(ErroriValori) as error:
        salva(ufficio_piano, aperto, rozzano, Cella(contatti, valore_numerico=99, versione=1))
    assert messaggi(error.value, "versione") == [
        "Nel frattempo un altro utente ha modificato questo valore: il tuo salvataggio non è "
        "stato eseguito per non sovrascriverlo. Ricarica la pagina e ripeti la modifica."
    ]
    valore.refresh_from_db()
    assert (valore.valore_numerico, valore.versione) == (11, 2)  # no lost update


def test_two_users_creating_the_same_cell(
    operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti = indicatore("1.OUT.1")
    salva(operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=10))
    with pytest.raises(ErroriValori) as error:  # his form showed the cell empty
        salva(ufficio_piano, aperto, rozzano, Cella(contatti, valore_numerico=20, versione=0))
    assert messaggi(error.value, "versione")
    assert Valore.objects.get(periodo=aperto, comune=rozzano).valore_numerico == 10


# --- who may write ----------------------------------------------------------------------


def test_an_operator_writes_only_his_comune(operatore_rozzano, binasco, aperto, indicatore):
    with pytest.raises(PermissionDenied):
        salva(operatore_rozzano, aperto, binasco, Cella(indicatore("1.OUT.1"), valore_numerico=1))
    with pytest.raises(PermissionDenied):  # Ambito-level values are the UdP's
        salva(operatore_rozzano, aperto, None, Cella(indicatore("1.OUT.2"), valore_numerico=1))
    assert not Valore.objects.filter(periodo=aperto, comune=binasco).exists()


def test_the_auditor_writes_nothing(revisore, rozzano, aperto, indicatore):
    with pytest.raises(PermissionDenied):
        salva(revisore, aperto, rozzano, Cella(indicatore("1.OUT.1"), valore_numerico=1))
    with pytest.raises(PermissionDenied):
        services.valori_submit(user=revisore, periodo=aperto, comune=rozzano)
    with pytest.raises(PermissionDenied):
        services.valori_approve_comune(user=revisore, periodo=aperto, comune=rozzano)
    with pytest.raises(PermissionDenied):
        services.periodo_close(user=revisore, periodo=aperto, motivo="x")


def test_another_ambito_cannot_write(ufficio_piano_altro, rozzano, aperto, indicatore):
    with pytest.raises(PermissionDenied):
        salva(ufficio_piano_altro, aperto, rozzano, Cella(indicatore("1.OUT.1"), valore_numerico=1))


# --- workflow and history ---------------------------------------------------------------


def test_submit_approve_and_the_history(
    operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti = indicatore("1.OUT.1")
    (valore,) = salva(
        operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=9), invia=True
    )
    assert valore.stato == StatoValore.INVIATO and valore.inviato_il is not None
    with pytest.raises(ErroriValori) as error:  # sent: no longer his to change
        salva(operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=8, versione=2))
    assert messaggi(error.value, "stato")
    with pytest.raises(PermissionDenied):
        services.valori_approve_comune(user=operatore_rozzano, periodo=aperto, comune=rozzano)

    assert services.valori_approve_comune(user=ufficio_piano, periodo=aperto, comune=rozzano) == 1
    valore.refresh_from_db()
    assert valore.stato == StatoValore.APPROVATO
    assert valore.approvato_da == ufficio_piano and valore.approvato_il is not None
    ultimo = valore.history.order_by("-history_date", "-history_id").first()
    assert ultimo.stato == StatoValore.APPROVATO
    assert ultimo.history_user == ufficio_piano
    assert ultimo.history_change_reason == "Approvato"
    assert [h.stato for h in valore.history.order_by("history_date", "history_id")] == [
        StatoValore.BOZZA,
        StatoValore.INVIATO,
        StatoValore.APPROVATO,
    ]


def test_return_needs_a_reason_and_reopens_the_value(
    operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti = indicatore("1.OUT.1")
    (valore,) = salva(
        operatore_rozzano, aperto, rozzano, Cella(contatti, valore_numerico=9), invia=True
    )
    valori = Valore.objects.filter(pk=valore.pk)
    with pytest.raises(ValidationError) as error:
        services.valori_reject(user=ufficio_piano, periodo=aperto, valori=valori, motivo=" ")
    assert error.value.message_dict == {"motivo": ["Indicare il motivo della restituzione."]}
    services.valori_reject(
        user=ufficio_piano, periodo=aperto, valori=valori, motivo="Manca il registro presenze."
    )
    valore.refresh_from_db()
    assert valore.stato == StatoValore.RESPINTO
    assert valore.motivo_respingimento == "Manca il registro presenze."
    assert valore.history.latest().history_user == ufficio_piano
    # Returned: the operator corrects it (back to draft) and sends it again.
    (corretto,) = salva(
        operatore_rozzano,
        aperto,
        rozzano,
        Cella(contatti, valore_numerico=7, versione=valore.versione),
        invia=True,
    )
    assert (corretto.valore_numerico, corretto.stato) == (7, StatoValore.INVIATO)


def test_approving_needs_sent_values(ufficio_piano, operatore_rozzano, rozzano, aperto, indicatore):
    salva(operatore_rozzano, aperto, rozzano, Cella(indicatore("1.OUT.1"), valore_numerico=3))
    with pytest.raises(ValidationError) as error:
        services.valori_approve_comune(user=ufficio_piano, periodo=aperto, comune=rozzano)
    assert error.value.message_dict == {"stato": ["Non ci sono valori inviati da approvare."]}


def test_close_and_reopen_are_recorded(
    ufficio_piano, operatore_rozzano, rozzano, periodo_2026, indicatore
):
    with pytest.raises(ValidationError) as error:
        services.periodo_close(user=ufficio_piano, periodo=periodo_2026, motivo="")
    assert error.value.message_dict == {"motivo": ["Indicare il motivo della chiusura."]}

    services.periodo_close(user=ufficio_piano, periodo=periodo_2026, motivo="Rilevazione conclusa")
    periodo_2026.refresh_from_db()
    assert periodo_2026.stato == StatoPeriodo.CHIUSO
    with pytest.raises(ErroriValori):
        salva(
            operatore_rozzano,
            periodo_2026,
            rozzano,
            Cella(indicatore("SRV.PIS"), valore_numerico=1),
        )

    with pytest.raises(ValidationError) as error:
        services.periodo_reopen(user=ufficio_piano, periodo=periodo_2026, motivo="")
    assert error.value.message_dict == {"motivo": ["Indicare il motivo della riapertura."]}
    services.periodo_reopen(
        user=ufficio_piano, periodo=periodo_2026, motivo="Correzione del dato di Rozzano"
    )
    periodo_2026.refresh_from_db()
    assert periodo_2026.stato == StatoPeriodo.RIAPERTO

    eventi = list(EventoPeriodo.objects.filter(periodo=periodo_2026).order_by("quando", "pk"))
    assert [(e.azione, e.utente, e.motivo) for e in eventi] == [
        (AzionePeriodo.CHIUSURA, ufficio_piano, "Rilevazione conclusa"),
        (AzionePeriodo.RIAPERTURA, ufficio_piano, "Correzione del dato di Rozzano"),
    ]
    storia = list(periodo_2026.history.order_by("history_date", "history_id"))
    assert [(h.stato, h.history_user, h.history_change_reason) for h in storia[-2:]] == [
        (StatoPeriodo.CHIUSO, ufficio_piano, "Rilevazione conclusa"),
        (StatoPeriodo.RIAPERTO, ufficio_piano, "Correzione del dato di Rozzano"),
    ]
    # Reopened: writes are accepted again.
    (valore,) = salva(
        operatore_rozzano, periodo_2026, rozzano, Cella(indicatore("SRV.PIS"), valore_numerico=1)
    )
    assert valore.pk


def test_a_period_with_values_waiting_for_review_cannot_close(ufficio_piano, aperto):
    assert Valore.objects.filter(periodo=aperto, stato=StatoValore.INVIATO).exists()
    with pytest.raises(ValidationError) as error:
        services.periodo_close(user=ufficio_piano, periodo=aperto, motivo="Fine")
    assert "in attesa di approvazione" in error.value.message_dict["stato"][0]
    aperto.refresh_from_db()
    assert aperto.stato == StatoPeriodo.APERTO


def test_only_the_ufficio_di_piano_closes(operatore_rozzano, periodo_2026):
    with pytest.raises(PermissionDenied):
        services.periodo_close(user=operatore_rozzano, periodo=periodo_2026, motivo="x")


# --- the admin uses the same service ----------------------------------------------------


def test_admin_applies_the_same_rules(admin_client, rozzano, periodo_2026, conteggio):
    url = reverse("admin:indicatori_valore_add")
    dati = {
        "indicatore": conteggio.pk,
        "periodo": periodo_2026.pk,
        "comune": rozzano.pk,
        "valore_numerico": "-2",
        "valore_testo": "",
        "commento": "",
        "versione_letta": "0",
    }
    response = admin_client.post(url, dati)
    assert response.status_code == 200
    assert "Il valore non può essere negativo." in response.content.decode()
    assert n_valori(periodo_2026) == 0
    dati["valore_numerico"] = "4"
    response = admin_client.post(url, dati)
    assert response.status_code == 302
    valore = Valore.objects.get(periodo=periodo_2026)
    assert (valore.valore_numerico, valore.stato, valore.versione) == (4, StatoValore.BOZZA, 1)


def test_saving_a_grid_runs_the_same_queries_whatever_its_cells(
    operatore_rozzano, rozzano, piano, periodo_2026
):
    """Bulk validation, bulk write, bulk history: a grid of 13 cells costs what a grid
    of 2 costs, to create its values and to change them (it was 8 queries a cell)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import IndicatoreFactory

    def query(n):
        indicatori = [
            IndicatoreFactory(piano=piano, codice=f"T.N{n}.{i}", nome=f"Prova {i}")
            for i in range(n)
        ]
        conteggi = []
        for valore, versione in ((1, 0), (2, 1)):
            with CaptureQueriesContext(connection) as queries:
                salva(
                    operatore_rozzano,
                    periodo_2026,
                    rozzano,
                    *(Cella(i, valore_numerico=valore, versione=versione) for i in indicatori),
                )
            conteggi.append(len(queries))
        return conteggi

    query(1)  # one-time lookups (content types, caches) out of the count
    assert query(2) == query(13)
    valori = Valore.objects.filter(periodo=periodo_2026, indicatore__codice__startswith="T.N13.")
    assert {(v.valore_numerico, v.versione) for v in valori} == {(2, 2)}
    assert Valore.history.filter(indicatore__codice__startswith="T.N13.").count() == 26
