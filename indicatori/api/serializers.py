from rest_framework import serializers

from ambito.api.serializers import (
    CampiDelModelloUnaVoltaMixin,
    LetturaRapidaMixin,
    ScopedChoicesMixin,
)
from ambito.models import Comune

from ..choices import StatoAvanzamento
from ..models import Categoria, Indicatore, Periodo, Valore


class CategoriaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Categoria
        fields = ["id", "codice", "nome", "ordine"]


class IndicatoreSerializer(serializers.ModelSerializer):
    categorie = CategoriaSerializer(many=True, read_only=True)

    class Meta:
        model = Indicatore
        fields = [
            "id",
            "piano",
            "scheda",
            "obiettivo",
            "progetto",
            "servizio",
            "area",
            "codice",
            "nome",
            "descrizione",
            "tipo",
            "unita",
            "valore_atteso",
            "valore_atteso_testo",
            "data_target",
            "baseline",
            "baseline_nota",
            "direzione",
            "aggregazione_comuni",
            "aggregazione_periodi",
            "periodicita",
            "livello",
            "categorie_esaustive",
            "categorie",
            "numeratore",
            "denominatore",
            "conta_beneficiari",
            "previsto_dal_piano",
            "rilevazione_dal",
            "rilevazione_al",
            "fonte",
        ]


class PeriodoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Periodo
        fields = [
            "id",
            "ambito",
            "codice",
            "nome",
            "tipo",
            "data_inizio",
            "data_fine",
            "scadenza",
            "stato",
            "dimostrativo",
            "note",
        ]


class MotivoSerializer(serializers.Serializer):
    motivo = serializers.CharField(max_length=2000, error_messages={"blank": "Indicare il motivo."})


class ValoreSerializer(
    LetturaRapidaMixin,
    CampiDelModelloUnaVoltaMixin,
    ScopedChoicesMixin,
    serializers.ModelSerializer,
):
    """A value. On update the cell (indicator, period, Comune, category) is fixed and
    `versione` must be the version read: a stale version is refused (no lost update)."""

    conferma_anomalia = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Conferma un valore più che triplo della mediana dei periodi precedenti.",
    )
    versione = serializers.IntegerField(required=False, min_value=0)

    class Meta:
        model = Valore
        fields = [
            "id",
            *Valore.CAMPI_RILEVAZIONE,
            *Valore.CAMPI_FLUSSO,
            "versione",
            "conferma_anomalia",
        ]
        read_only_fields = Valore.CAMPI_FLUSSO
        extra_kwargs = {
            "comune": {"required": False, "allow_null": True},
            "categoria": {"required": False, "allow_null": True},
            "valore_testo": {"required": False},
            "commento": {"required": False},
        }
        # The rules (uniqueness included) are the service's, with its messages.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("indicatore", "periodo", "comune", "categoria"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        request = self.context.get("request")
        if_match = request is not None and request.headers.get("If-Match")
        if self.instance is not None and attrs.get("versione") is None and not if_match:
            raise serializers.ValidationError(
                {
                    "versione": "Indicare la versione del valore letto (campo «versione» "
                    "o intestazione If-Match)."
                }
            )
        return attrs


class InvioSerializer(ScopedChoicesMixin, serializers.Serializer):
    periodo = serializers.PrimaryKeyRelatedField(queryset=Periodo.objects.all())
    comune = serializers.PrimaryKeyRelatedField(
        queryset=Comune.objects.all(),
        allow_null=True,
        required=False,
        help_text="Vuoto per i valori dell'intero Ambito.",
    )


class AvanzamentoSerializer(LetturaRapidaMixin, serializers.Serializer):
    indicatore = serializers.IntegerField(source="indicatore.pk")
    codice = serializers.CharField(source="indicatore.codice")
    nome = serializers.CharField(source="indicatore.nome")
    scheda = serializers.IntegerField(source="indicatore.scheda.numero", allow_null=True)
    unita = serializers.CharField(source="indicatore.unita")
    valore = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    testo = serializers.CharField()
    atteso = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    atteso_ad_oggi = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    percentuale = serializers.DecimalField(max_digits=20, decimal_places=1, allow_null=True)
    tempo_trascorso = serializers.DecimalField(max_digits=6, decimal_places=1)
    data_target = serializers.DateField(source="indicatore.data_target", allow_null=True)
    periodi_con_dati = serializers.IntegerField()
    stato = serializers.ChoiceField(choices=StatoAvanzamento.choices)
    stato_label = serializers.CharField()
    nota = serializers.CharField()


class CompletezzaSerializer(LetturaRapidaMixin, serializers.Serializer):
    comune = serializers.IntegerField(source="comune.pk")
    comune_nome = serializers.CharField(source="comune.nome")
    attesi = serializers.IntegerField()
    compilati = serializers.IntegerField()
    inviati = serializers.IntegerField()
    approvati = serializers.IntegerField()
    respinti = serializers.IntegerField()
    percentuale = serializers.DecimalField(max_digits=6, decimal_places=1)
    ultimo_invio = serializers.DateTimeField(allow_null=True)
    stato = serializers.CharField()
    in_ritardo = serializers.BooleanField()


class BeneficiariSerializer(LetturaRapidaMixin, serializers.Serializer):
    """A row of `selectors.beneficiari_per_comune_righe`, as it comes from SQL."""

    periodo = serializers.IntegerField(source="periodo_id")
    periodo_nome = serializers.CharField(source="periodo__nome")
    comune = serializers.IntegerField(source="comune_id")
    comune_nome = serializers.CharField(source="comune__nome")
    totale = serializers.DecimalField(max_digits=20, decimal_places=0)


class InviatiSerializer(serializers.Serializer):
    inviati = serializers.IntegerField(help_text="Numero di valori inviati all'Ufficio di Piano.")


class ApprovatiSerializer(serializers.Serializer):
    approvati = serializers.IntegerField(help_text="Numero di valori approvati.")


# --- The regional dashboard ------------------------------------------------------------


class RegioneAmbitoSerializer(LetturaRapidaMixin, serializers.Serializer):
    ambito = serializers.IntegerField(source="ambito.pk")
    ambito_nome = serializers.CharField(source="ambito.nome")
    regione = serializers.CharField(source="ambito.regione")
    provincia = serializers.CharField()
    residenti = serializers.IntegerField(allow_null=True)
    anno_residenti = serializers.IntegerField(allow_null=True)
    anno_fondi = serializers.IntegerField(allow_null=True)
    fondi = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    fondi_per_residente = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    progetti_pnrr = serializers.IntegerField()
    ammesso = serializers.DecimalField(max_digits=16, decimal_places=2)
    erogato = serializers.DecimalField(max_digits=16, decimal_places=2)
    percentuale_erogato = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    periodo = serializers.IntegerField(source="periodo.pk", allow_null=True, default=None)
    comuni = serializers.IntegerField()
    comuni_completi = serializers.IntegerField()
    in_ritardo = serializers.IntegerField()
    attesi = serializers.IntegerField()
    inviati = serializers.IntegerField()
    approvati = serializers.IntegerField()
    completezza = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    stati = serializers.DictField(child=serializers.IntegerField())
    completo = serializers.BooleanField(help_text="Dati completi: entra nella graduatoria.")
    posizione = serializers.IntegerField(allow_null=True, help_text="Solo se completo.")
    mancanze = serializers.ListField(child=serializers.CharField())


class QuartiliSerializer(LetturaRapidaMixin, serializers.Serializer):
    q1 = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    mediana = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    q3 = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    n = serializers.IntegerField()


class RegioneComuneSerializer(LetturaRapidaMixin, serializers.Serializer):
    comune = serializers.IntegerField(source="comune_id")
    comune_nome = serializers.CharField(source="nome")
    ambito = serializers.IntegerField(source="ambito_id")
    regione = serializers.CharField()
    valore = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    residenti = serializers.IntegerField(allow_null=True)
    per_mille = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)


class RegioneSerializer(serializers.Serializer):
    regione = serializers.CharField(help_text="La regione, o «Tutte le regioni».")
    nazionale = serializers.BooleanField(help_text="Tutte le regioni insieme (regione=tutte).")
    anno = serializers.IntegerField()
    aggiornato_al = serializers.DateTimeField(allow_null=True)
    ambiti = RegioneAmbitoSerializer(source="righe", many=True)
    quartili = serializers.DictField(child=QuartiliSerializer())
    indicatore = serializers.CharField(allow_null=True)
    per_mille = serializers.BooleanField()
    comuni = RegioneComuneSerializer(many=True)
    quartili_comuni = QuartiliSerializer(allow_null=True)
