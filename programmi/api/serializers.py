"""Serializers of the programmi API. They convert types only: the rules are checked by
the services, so the API answers with the pages' Italian messages (HTTP 400 with the
field names)."""

from rest_framework import serializers

from ambito.api.serializers import ChoiceLabelField, ScopedChoicesMixin

from .. import models
from ..choices import ELENCHI, Adeguatezza, CoincidenzaRisorse


class PianoDiZonaSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    periodo = serializers.CharField(read_only=True)
    stato_display = ChoiceLabelField("stato")
    numero_schede = serializers.IntegerField(read_only=True)
    budget_schede = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = models.PianoDiZona
        fields = [
            "id",
            "ambito",
            "anno_inizio",
            "anno_fine",
            "periodo",
            "stato",
            "stato_display",
            "data_approvazione",
            "atto_approvazione",
            "note",
            "numero_schede",
            "budget_schede",
        ]
        validators = []  # uniqueness is checked by the service, with its message


class MacroAreaSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    class Meta:
        model = models.MacroArea
        fields = ["id", "piano", "lettera", "nome"]
        validators = []


class ObiettivoSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    livello = serializers.SerializerMethodField()

    class Meta:
        model = models.Obiettivo
        fields = [
            "id",
            "piano",
            "numero",
            "titolo",
            "livello",
            "parent",
            "macro_area",
            "tema",
            "note",
        ]
        validators = []

    def get_livello(self, obj) -> str:
        return "generale" if obj.parent_id is None else "specifico"


class ValutazioneSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    obiettivo_numero = serializers.CharField(source="obiettivo.numero", read_only=True)
    obiettivo_titolo = serializers.CharField(source="obiettivo.titolo", read_only=True)
    piano = serializers.IntegerField(source="obiettivo.piano_id", read_only=True)
    macro_area = serializers.CharField(
        source="obiettivo.macro_area.lettera", read_only=True, default=None, allow_null=True
    )
    # Without min/max here: out-of-range values get the service's Italian message.
    grado_raggiungimento = serializers.IntegerField(required=False, allow_null=True)
    adeguatezza_risorse = serializers.ChoiceField(
        choices=Adeguatezza.choices, required=False, allow_null=True
    )
    adeguatezza_risorse_display = ChoiceLabelField("adeguatezza_risorse", allow_null=True)
    coincidenza_risorse = serializers.ChoiceField(
        choices=CoincidenzaRisorse.choices,
        required=False,
        allow_null=True,
        help_text="-1 = <100%, 0 = 100%, 1 = >100% (valore ordinabile e filtrabile).",
    )
    coincidenza_risorse_display = ChoiceLabelField("coincidenza_risorse", allow_null=True)

    class Meta:
        model = models.Valutazione
        fields = [
            "id",
            "obiettivo",
            "obiettivo_numero",
            "obiettivo_titolo",
            "piano",
            "macro_area",
            *models.Valutazione.RISPOSTE,
            "adeguatezza_risorse_display",
            "coincidenza_risorse_display",
        ]
        validators = []


def elenco(nome):
    """One ordered list of a scheda: its items (strings) in their order."""
    return serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        source=f"elenchi.{nome}",
        required=False,
        label=str(ELENCHI[nome].label),
    )


class SchedaSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    obiettivi = elenco("obiettivi")
    azioni = elenco("azioni")
    destinatari = elenco("destinatari")
    personale = elenco("personale")
    aree_policy = elenco("aree_policy")
    punti_chiave = elenco("punti_chiave")

    class Meta:
        model = models.Scheda
        fields = [
            "id",
            "piano",
            "numero",
            "titolo",
            "sottotitolo",
            "obiettivo",
            "budget",
            "note_risorse",
            "progetto",
            "servizi",
            "obiettivi",
            "azioni",
            "destinatari",
            "personale",
            "integrata_altre_aree",
            "aree_policy",
            "punti_chiave",
            *models.Scheda.RISPOSTE,
        ]
        validators = []


class AttivitaPremialeSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AttivitaPremiale
        fields = ["ordine", "attivita", "percentuale", "risultato"]


class ProgettoPremialeSerializer(serializers.ModelSerializer):
    attivita = AttivitaPremialeSerializer(many=True, read_only=True)
    media_completamento = serializers.FloatField(read_only=True)

    class Meta:
        model = models.ProgettoPremiale
        fields = [
            "id",
            "piano",
            "numero",
            "titolo",
            "descrizione",
            "media_completamento",
            "attivita",
        ]


class MediaMacroAreaSerializer(serializers.Serializer):
    lettera = serializers.CharField()
    nome = serializers.CharField()
    obiettivi = serializers.IntegerField()
    media = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class RiepilogoPianoSerializer(serializers.Serializer):
    piano = serializers.IntegerField()
    periodo = serializers.CharField()
    totale_budget_schede = serializers.DecimalField(max_digits=14, decimal_places=2)
    media_raggiungimento = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    media_raggiungimento_per_macro_area = MediaMacroAreaSerializer(many=True)
