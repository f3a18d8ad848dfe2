"""Serializers of the fondi API. They only convert types: every business rule is
checked by the services, so the API answers with the same Italian messages (HTTP 400
with field names) as the pages."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from ambito.api.serializers import (
    CampiDelModelloUnaVoltaMixin,
    ChoiceLabelField,
    LetturaRapidaMixin,
    ScopedChoicesMixin,
    importo,
)
from ambito.models import Ambito, Comune, Ente

from .. import models
from ..choices import LivelloFonte, StatoProgetto, stati_successivi


class RigaSerializer(
    LetturaRapidaMixin,
    CampiDelModelloUnaVoltaMixin,
    ScopedChoicesMixin,
    serializers.ModelSerializer,
):
    """A row of the fondi API: choices scoped on writes, read without DRF's per-field
    machinery (lists of 50 projects), each model field's serializer field worked out
    once per class; its rows read the same in any context (`letto_senza_contesto`)."""

    letto_senza_contesto = True


class FonteFinanziamentoSerializer(RigaSerializer):
    """A source: `ambito` null for the national reference tree, else the Ambito whose
    own fund it is (writable only by its Ufficio di Piano)."""

    scoped_fields = {"ambito": "editable"}
    livello_display = ChoiceLabelField("livello")
    # Null in the national rows it lists; a write names the Ambito (see validate_ambito).
    ambito = serializers.PrimaryKeyRelatedField(queryset=Ambito.objects.all(), allow_null=True)

    class Meta:
        model = models.FonteFinanziamento
        fields = ["id", "codice", "nome", "livello", "livello_display", "ordine", "ambito"]
        validators = []

    def validate_ambito(self, ambito):
        if ambito is None and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError(
                _(
                    "Indicare l'Ambito del fondo: le fonti nazionali sono dati di "
                    "riferimento, gestiti dall'amministratore."
                )
            )
        return ambito


class LineaFinanziamentoSerializer(RigaSerializer):
    """A line: national (`ambito` null) or of an Ambito's own source (same Ambito)."""

    scoped_fields = {"fonte": "editable", "parent": "editable"}
    ambito = serializers.IntegerField(source="ambito_id", read_only=True, allow_null=True)
    fonte_codice = serializers.CharField(source="fonte.codice", read_only=True)
    livello = serializers.ChoiceField(
        source="fonte.livello", choices=LivelloFonte.choices, read_only=True
    )
    parent_codice = serializers.CharField(
        source="parent.codice", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = models.LineaFinanziamento
        fields = [
            "id",
            "codice",
            "nome",
            "fonte",
            "fonte_codice",
            "livello",
            "parent",
            "parent_codice",
            "ambito",
        ]
        validators = []


class AssegnazioneSerializer(RigaSerializer):
    scoped_fields = {"ambito": "editable", "linea": "visible"}
    importo = importo()
    anno = serializers.IntegerField()
    linea_codice = serializers.CharField(source="linea.codice", read_only=True)
    livello = serializers.ChoiceField(
        source="linea.fonte.livello", choices=LivelloFonte.choices, read_only=True
    )

    class Meta:
        model = models.Assegnazione
        fields = [
            "id",
            "ambito",
            "linea",
            "linea_codice",
            "livello",
            "anno",
            "importo",
            "interventi",
            "nota_fonte",
        ]
        validators = []  # uniqueness is the service's, with its Italian message


class FinanziamentoProgettoSerializer(RigaSerializer):
    scoped_fields = {"progetto": "visible", "linea": "visible"}
    importo = importo()
    linea_codice = serializers.CharField(source="linea.codice", read_only=True)
    fonte_codice = serializers.CharField(source="linea.fonte.codice", read_only=True)

    class Meta:
        model = models.FinanziamentoProgetto
        fields = [
            "id",
            "progetto",
            "linea",
            "linea_codice",
            "fonte_codice",
            "importo",
            "nota",
            "integrazione",
            "atto_progetto",
        ]
        read_only_fields = ["atto_progetto"]
        validators = []


class AvanzamentoFinanziarioSerializer(RigaSerializer):
    scoped_fields = {"progetto": "visible"}
    # Each stage may be null: not recorded in this period.
    programmato = importo(required=False, allow_null=True)
    ammesso = importo(required=False, allow_null=True)
    vincolante = importo(
        required=False, allow_null=True, help_text="Importo giuridicamente vincolante."
    )
    erogato = importo(required=False, allow_null=True)
    periodo = serializers.CharField(source="periodo_display", read_only=True)
    percentuale_erogato = serializers.DecimalField(
        max_digits=7, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = models.AvanzamentoFinanziario
        fields = [
            "id",
            "progetto",
            "data",
            "precisione",
            "periodo",
            "programmato",
            "ammesso",
            "vincolante",
            "erogato",
            "percentuale_erogato",
            "nota",
        ]
        validators = []


class UltimoAvanzamentoSerializer(LetturaRapidaMixin, serializers.Serializer):
    """The latest snapshot, read from the annotations of the projects' selector."""

    letto_senza_contesto = True

    data = serializers.DateField(source="ultimo_data")
    programmato = importo(source="ultimo_programmato")
    ammesso = importo(source="ultimo_ammesso")
    vincolante = importo(source="ultimo_vincolante")
    erogato = importo(source="ultimo_erogato")

    def to_representation(self, instance):
        if getattr(instance, "ultimo_data", None) is None:
            return None  # no snapshot yet
        return super().to_representation(instance)


class StatiSuccessiviField(serializers.ListField):
    """The states a project may move to from its own."""

    letto_senza_contesto = True

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), source="*", read_only=True, **kwargs)

    def to_representation(self, progetto):
        return stati_successivi(progetto.stato)


class ProgettoSerializer(RigaSerializer):
    # Comuni and partner Ambiti are public reference data: any may be named, and the
    # service checks that the Comuni belong to the lead or to a partner Ambito.
    scoped_fields = {"ambito": "editable", "soggetto_attuatore": "visible", "linea": "visible"}
    # Free text in, normalised (upper case, no spaces) and validated by the service.
    cup = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    ambiti_partner = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Ambito.objects.all()
    )
    comuni = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Comune.objects.all()
    )
    soggetto_attuatore = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=Ente.objects.all()
    )
    anno_finanziamento = serializers.IntegerField(required=False, allow_null=True)
    linea_codice = serializers.CharField(source="linea.codice", read_only=True)
    stato_display = ChoiceLabelField("stato")
    stati_successivi = StatiSuccessiviField()
    # The list prefetched by `selectors.progetti_per_api`, as the relations above.
    finanziamenti = FinanziamentoProgettoSerializer(
        many=True, read_only=True, source="finanziamenti_elenco"
    )
    importo_finanziato = importo(read_only=True)
    importo_originario = importo(read_only=True)
    importo_integrazioni = importo(read_only=True)
    data_fine_attuale = serializers.DateField(read_only=True, allow_null=True)
    ultimo_avanzamento = UltimoAvanzamentoSerializer(source="*", read_only=True, allow_null=True)
    percentuale_erogato = serializers.DecimalField(
        max_digits=7, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = models.Progetto
        fields = [
            "id",
            "cup",
            "codice_locale",
            "titolo",
            "descrizione",
            "linea",
            "linea_codice",
            "ambito",
            "ambiti_partner",
            "soggetto_attuatore",
            "comuni",
            "rup",
            "anno_finanziamento",
            "data_inizio",
            "data_fine",
            "data_scadenza",
            "stato",
            "stato_display",
            "stati_successivi",
            "finanziamenti",
            "importo_finanziato",
            "importo_originario",
            "importo_integrazioni",
            "data_fine_attuale",
            "ultimo_avanzamento",
            "percentuale_erogato",
        ]
        validators = []


class AttoProgettoSerializer(RigaSerializer):
    """The effect of an act on one project; `importo` is the funding row it granted."""

    scoped_fields = {"progetto": "editable", "linea": None}
    importo = importo(required=False, allow_null=True)
    linea = serializers.PrimaryKeyRelatedField(
        queryset=models.LineaFinanziamento.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Linea dell'importo (se vuota, quella del progetto).",
    )
    progetto_titolo = serializers.CharField(source="progetto.titolo", read_only=True)

    class Meta:
        model = models.AttoProgetto
        fields = ["progetto", "progetto_titolo", "importo", "linea", "nuova_data_fine", "nota"]
        validators = []


class AttoSerializer(RigaSerializer):
    scoped_fields = {"ambito": "editable"}
    tipo_display = ChoiceLabelField("tipo")
    progetti = AttoProgettoSerializer(many=True, source="effetti")
    importo_totale = importo(read_only=True)

    class Meta:
        model = models.Atto
        fields = [
            "id",
            "ambito",
            "tipo",
            "tipo_display",
            "numero",
            "data",
            "ente",
            "oggetto",
            "progetti",
            "importo_totale",
        ]
        validators = []


class CambioStatoSerializer(serializers.Serializer):
    stato = serializers.ChoiceField(choices=StatoProgetto.choices)


# --- Aggregates ------------------------------------------------------------------------


class TotaleAnnoSerializer(LetturaRapidaMixin, serializers.Serializer):
    ambito = serializers.IntegerField()
    anno = serializers.IntegerField()
    totale = importo()
    totale_riportato = importo(allow_null=True)
    documento = serializers.CharField(allow_null=True)
    differenza = importo(allow_null=True, help_text="Totale calcolato meno totale stampato.")
    variazione = importo(
        allow_null=True, help_text="Variazione sull'anno precedente dell'Ambito (null il primo)."
    )


class TotaleLivelloSerializer(LetturaRapidaMixin, serializers.Serializer):
    ambito = serializers.IntegerField()
    anno = serializers.IntegerField()
    livello = serializers.ChoiceField(choices=LivelloFonte.choices)
    totale = importo()


class TotaleFonteSerializer(LetturaRapidaMixin, serializers.Serializer):
    ambito = serializers.IntegerField()
    anno = serializers.IntegerField()
    fonte = serializers.IntegerField()
    fonte_codice = serializers.CharField()
    fonte_nome = serializers.CharField()
    livello = serializers.ChoiceField(choices=LivelloFonte.choices)
    totale = importo()


class TotaleLineaSerializer(LetturaRapidaMixin, serializers.Serializer):
    ambito = serializers.IntegerField()
    anno = serializers.IntegerField()
    linea = serializers.IntegerField()
    linea_codice = serializers.CharField()
    linea_nome = serializers.CharField()
    fonte_codice = serializers.CharField()
    totale = importo()


class FondiTotaliSerializer(serializers.Serializer):
    per_anno = TotaleAnnoSerializer(many=True)
    per_livello = TotaleLivelloSerializer(many=True)
    per_fonte = TotaleFonteSerializer(many=True)
    per_linea = TotaleLineaSerializer(many=True)


class StatoNumeroSerializer(LetturaRapidaMixin, serializers.Serializer):
    stato = serializers.ChoiceField(choices=StatoProgetto.choices)
    etichetta = serializers.CharField()
    numero = serializers.IntegerField()


class FinanziatoFonteSerializer(LetturaRapidaMixin, serializers.Serializer):
    fonte_codice = serializers.CharField()
    fonte_nome = serializers.CharField()
    totale = importo()


class AvanzamentoTotaleSerializer(LetturaRapidaMixin, serializers.Serializer):
    progetti_rilevati = serializers.IntegerField()
    programmato = importo()
    ammesso = importo()
    vincolante = importo()
    erogato = importo()
    percentuale_erogato = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class ProgettiAvanzamentoSerializer(serializers.Serializer):
    numero_progetti = serializers.IntegerField()
    per_stato = StatoNumeroSerializer(many=True)
    finanziato_per_fonte = FinanziatoFonteSerializer(many=True)
    finanziato_totale = importo()
    avanzamento = AvanzamentoTotaleSerializer()


# --- Candidatures and partner bodies ------------------------------------------------------


class PartecipazioneCandidaturaSerializer(RigaSerializer):
    # Any Ambito of Italy may be a partner: the list of Ambiti is public.
    scoped_fields = {"candidatura": "visible"}
    ambito = serializers.PrimaryKeyRelatedField(queryset=Ambito.objects.all())
    ambito_nome = serializers.CharField(source="ambito.nome", read_only=True)
    quota = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )

    class Meta:
        model = models.PartecipazioneCandidatura
        fields = ["id", "candidatura", "ambito", "ambito_nome", "quota"]
        validators = []


class LineaCandidaturaSerializer(RigaSerializer):
    scoped_fields = {"candidatura": "visible", "linea": "visible", "progetto": "visible"}
    importo = importo(required=False, allow_null=True)
    linea_codice = serializers.CharField(source="linea.codice", read_only=True)
    fonte_codice = serializers.CharField(source="linea.fonte.codice", read_only=True)
    esito_display = ChoiceLabelField("esito")
    cup = serializers.CharField(source="progetto.cup", read_only=True, default=None)

    class Meta:
        model = models.LineaCandidatura
        fields = [
            "id",
            "candidatura",
            "linea",
            "linea_codice",
            "fonte_codice",
            "importo",
            "progetto",
            "cup",
            "esito",
            "esito_display",
            "nota_esito",
        ]
        validators = []


class CandidaturaSerializer(RigaSerializer):
    """A candidature with its totals, read from the selector's annotations."""

    scoped_fields = {"ambito": "editable", "ente_capofila": "visible"}
    totale_decreto = importo(required=False, allow_null=True)
    totale_calcolato = importo(read_only=True, help_text="Somma degli importi per investimento.")
    differenza_decreto = importo(
        read_only=True, allow_null=True, help_text="Totale del decreto meno totale calcolato."
    )
    discordanza_decreto = serializers.BooleanField(
        read_only=True,
        help_text="Vero se il totale del decreto differisce dal calcolato o mancano importi.",
    )
    numero_linee = serializers.IntegerField(read_only=True)
    linee_senza_importo = serializers.IntegerField(read_only=True)
    numero_partner = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.Candidatura
        fields = [
            "id",
            "avviso",
            "titolo",
            "ambito",
            "ente_capofila",
            "data_presentazione",
            "decreto",
            "totale_decreto",
            "nota",
            "totale_calcolato",
            "differenza_decreto",
            "discordanza_decreto",
            "numero_linee",
            "linee_senza_importo",
            "numero_partner",
        ]
        validators = []


class TotaleFonteCandidaturaSerializer(serializers.Serializer):
    fonte_codice = serializers.CharField()
    fonte_nome = serializers.CharField()
    totale = importo()
    investimenti = serializers.IntegerField()


class QuotaAmbitoSerializer(serializers.Serializer):
    ambito = serializers.IntegerField(source="ambito.pk")
    ambito_nome = serializers.CharField(source="ambito.nome")
    ruolo = serializers.CharField()
    quota = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    importo = importo(allow_null=True)


class CandidaturaTotaliSerializer(serializers.Serializer):
    candidatura = CandidaturaSerializer()
    linee = LineaCandidaturaSerializer(many=True)
    per_fonte = TotaleFonteCandidaturaSerializer(many=True)
    per_ambito = QuotaAmbitoSerializer(many=True)


class PartnerProgettoSerializer(RigaSerializer):
    scoped_fields = {"progetto": "visible", "ente": "visible"}
    importo = importo(required=False, allow_null=True)
    quota = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    ente_nome = serializers.CharField(source="ente.nome", read_only=True)
    ruolo_display = ChoiceLabelField("ruolo")

    class Meta:
        model = models.PartnerProgetto
        fields = [
            "id",
            "progetto",
            "ente",
            "ente_nome",
            "ruolo",
            "ruolo_display",
            "importo",
            "quota",
            "nota",
        ]
        validators = []
