"""API of the PNRR reporting (ReGiS): milestone and target with their values per
period, spending records, domande di rimborso with their state and checklist.

Scoping and write permissions come from the common base viewsets (404 outside the
user's Ambiti, 403 for who only reads); every write is a service call of
fondi/rendicontazione.py, whose Italian messages come back as 400 with field names.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ambito.api.serializers import ChoiceLabelField, ScopedChoicesMixin, importo
from ambito.platform.api.viewsets import ScopedDestroyMixin, ScopedModelViewSet, as_api_error

from .. import models
from .. import rendicontazione as services
from .. import selectors_regis as selectors
from ..choices import ControlloRegis, StatoObiettivo, StatoRendicontazione
from ..filtersets_regis import (
    AvanzamentoObiettivoFilterSet,
    GiustificativoFilterSet,
    ObiettivoProgettoFilterSet,
    RendicontazioneFilterSet,
)
from .views import ProgettoChildViewSet

# --- Serializers -----------------------------------------------------------------------


class AvanzamentoObiettivoSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_fields = {"obiettivo": "visible"}
    valore_raggiunto = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = models.AvanzamentoObiettivo
        fields = ["id", "obiettivo", "periodo", "valore_raggiunto", "nota"]
        validators = []


class ValoreNelPeriodoSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AvanzamentoObiettivo
        fields = ["id", "periodo", "valore_raggiunto", "nota"]


class ObiettivoProgettoSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_fields = {"progetto": "visible"}
    valore_obiettivo = serializers.DecimalField(max_digits=14, decimal_places=2)
    tipo_display = ChoiceLabelField("tipo")
    ultimo_valore = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    ultimo_periodo = serializers.DateField(read_only=True, allow_null=True)
    stato = serializers.SerializerMethodField()
    stato_display = serializers.SerializerMethodField()
    valori = ValoreNelPeriodoSerializer(source="avanzamenti", many=True, read_only=True)

    class Meta:
        model = models.ObiettivoProgetto
        fields = [
            "id",
            "progetto",
            "tipo",
            "tipo_display",
            "codice",
            "descrizione",
            "unita_misura",
            "valore_obiettivo",
            "scadenza",
            "ultimo_valore",
            "ultimo_periodo",
            "stato",
            "stato_display",
            "valori",
        ]
        validators = []

    def _stato(self, obj) -> StatoObiettivo:
        if not hasattr(obj, "stato"):
            selectors.con_stato(obj)
        return obj.stato

    def get_stato(self, obj) -> str:
        return self._stato(obj).value

    def get_stato_display(self, obj) -> str:
        return str(self._stato(obj).label)


class GiustificativoSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_fields = {
        "progetto": "visible",
        "finanziamento": "visible",
        "rendicontazione": "visible",
    }
    imponibile = importo()
    iva = importo()
    totale = importo(read_only=True, help_text="Imponibile più IVA, calcolato.")
    cup = serializers.CharField(required=False, allow_blank=True)
    tipo_documento_display = ChoiceLabelField("tipo_documento")
    linea_codice = serializers.CharField(source="finanziamento.linea.codice", read_only=True)

    class Meta:
        model = models.Giustificativo
        fields = [
            "id",
            "progetto",
            "cup",
            "finanziamento",
            "linea_codice",
            "rendicontazione",
            "tipo_documento",
            "tipo_documento_display",
            "numero_documento",
            "data_documento",
            "fornitore",
            "partita_iva",
            "imponibile",
            "iva",
            "totale",
        ]
        validators = []


class ControlloSerializer(serializers.ModelSerializer):
    controllo_display = ChoiceLabelField("controllo")
    attestato_da = serializers.CharField(source="attestato_da.get_username", read_only=True)

    class Meta:
        model = models.ControlloRendicontazione
        fields = ["controllo", "controllo_display", "attestato_da", "attestato_il", "nota"]


class RendicontazioneSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_fields = {"progetto": "visible"}
    stato_display = ChoiceLabelField("stato")
    totale = importo(read_only=True, help_text="Somma dei giustificativi della domanda.")
    numero_giustificativi = serializers.IntegerField(read_only=True)
    controlli = ControlloSerializer(many=True, read_only=True)
    controlli_mancanti = serializers.SerializerMethodField()

    class Meta:
        model = models.Rendicontazione
        fields = [
            "id",
            "progetto",
            "numero",
            "titolo",
            "periodo",
            "stato",
            "stato_display",
            "inviata_il",
            "esito_il",
            "nota_esito",
            "totale",
            "numero_giustificativi",
            "controlli",
            "controlli_mancanti",
        ]
        read_only_fields = ["numero", "stato", "inviata_il", "esito_il", "nota_esito"]
        validators = []

    def get_controlli_mancanti(self, obj) -> list[str]:
        fatti = {c.controllo for c in obj.controlli.all()}
        return [c for c in ControlloRegis.values if c not in fatti]


class CambioStatoRendicontazioneSerializer(serializers.Serializer):
    stato = serializers.ChoiceField(choices=StatoRendicontazione.choices)
    nota = serializers.CharField(required=False, allow_blank=True, default="")


class ControlloRichiestaSerializer(serializers.Serializer):
    controllo = serializers.ChoiceField(choices=ControlloRegis.choices)
    nota = serializers.CharField(required=False, allow_blank=True, default="")


# --- Viewsets ----------------------------------------------------------------------------


class ObiettivoProgettoViewSet(ProgettoChildViewSet):
    """Milestone and target of the projects, with the latest value achieved and the
    status against the deadline."""

    queryset = models.ObiettivoProgetto.objects.all()
    serializer_class = ObiettivoProgettoSerializer
    filterset_class = ObiettivoProgettoFilterSet
    ordering_fields = ["scadenza", "codice"]
    ordering = ["progetto", "scadenza", "pk"]

    def get_queryset(self):
        return selectors.obiettivi_con_avanzamento(fetched_by=self.request.user).prefetch_related(
            "avanzamenti"
        )

    def perform_save(self, serializer):
        obiettivo = services.obiettivo_save(obiettivo=self._instance(serializer))
        return self.get_queryset().get(pk=obiettivo.pk)


class AvanzamentoObiettivoViewSet(ScopedModelViewSet):
    """The values achieved per ReGiS period (closing 30/04, 31/08, 31/12)."""

    queryset = models.AvanzamentoObiettivo.objects.select_related("obiettivo__progetto")
    serializer_class = AvanzamentoObiettivoSerializer
    filterset_class = AvanzamentoObiettivoFilterSet
    ordering_fields = ["periodo"]
    ordering = ["obiettivo", "periodo"]

    def perform_create(self, serializer):
        self.check_perm("fondi.modifica_progetto", serializer.validated_data["obiettivo"].progetto)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        nuovo = serializer.validated_data.get("obiettivo")
        if nuovo is not None:
            self.check_perm("fondi.modifica_progetto", nuovo.progetto)
        super().perform_update(serializer)

    def perform_save(self, serializer):
        avanzamento = serializer.instance or models.AvanzamentoObiettivo()
        for campo, valore in serializer.validated_data.items():
            setattr(avanzamento, campo, valore)
        return services.avanzamento_obiettivo_save(avanzamento=avanzamento)


class GiustificativoViewSet(ScopedDestroyMixin, ProgettoChildViewSet):
    """Spending records (giustificativi di spesa); the total is imponibile plus IVA and
    the records of a line never exceed its amount admitted."""

    queryset = models.Giustificativo.objects.all()
    serializer_class = GiustificativoSerializer
    filterset_class = GiustificativoFilterSet
    ordering_fields = ["data_documento", "totale", "fornitore"]
    ordering = ["progetto", "data_documento", "pk"]
    permission_required = {"destroy": "fondi.elimina_giustificativo"}

    def get_queryset(self):
        return selectors.giustificativi_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        return services.giustificativo_save(giustificativo=self._instance(serializer))

    def perform_delete(self, instance):
        services.giustificativo_delete(giustificativo=instance)


class RendicontazioneViewSet(ProgettoChildViewSet):
    """Domande di rimborso: created as drafts, sent only with every control attested
    (`attesta-controllo`), then validated or rejected (`cambia-stato`)."""

    queryset = models.Rendicontazione.objects.all()
    serializer_class = RendicontazioneSerializer
    filterset_class = RendicontazioneFilterSet
    ordering_fields = ["numero", "periodo"]
    ordering = ["progetto", "numero"]
    permission_required = {
        "cambia_stato": "fondi.cambia_stato_rendicontazione",
        "attesta_controllo": "fondi.attesta_controllo",
        "revoca_controllo": "fondi.attesta_controllo",
    }

    def get_queryset(self):
        return selectors.rendicontazioni_con_totali(fetched_by=self.request.user).prefetch_related(
            "controlli__attestato_da"
        )

    def perform_save(self, serializer):
        rendicontazione = self._instance(serializer)
        if serializer.instance is None:
            rendicontazione = services.rendicontazione_create(rendicontazione=rendicontazione)
        else:
            rendicontazione = services.rendicontazione_update(rendicontazione=rendicontazione)
        return self.get_queryset().get(pk=rendicontazione.pk)

    def _rispondi(self, rendicontazione):
        return Response(self.get_serializer(self.get_queryset().get(pk=rendicontazione.pk)).data)

    @extend_schema(
        request=CambioStatoRendicontazioneSerializer,
        responses=RendicontazioneSerializer,
        description=(
            "Cambia lo stato della domanda: bozza → inviata (con tutti i controlli attestati) "
            "→ validata o respinta (con la nota); una respinta torna in bozza."
        ),
    )
    @action(detail=True, methods=["post"], url_path="cambia-stato")
    def cambia_stato(self, request, pk=None):
        rendicontazione = self.get_object()
        richiesta = CambioStatoRendicontazioneSerializer(data=request.data)
        richiesta.is_valid(raise_exception=True)
        try:
            services.rendicontazione_transition(
                rendicontazione=rendicontazione, **richiesta.validated_data
            )
        except DjangoValidationError as error:
            raise as_api_error(error, richiesta.fields) from error
        return self._rispondi(rendicontazione)

    @extend_schema(
        request=ControlloRichiestaSerializer,
        responses=RendicontazioneSerializer,
        description="Attesta un controllo della domanda in bozza, a nome dell'utente.",
    )
    @action(detail=True, methods=["post"], url_path="attesta-controllo")
    def attesta_controllo(self, request, pk=None):
        rendicontazione = self.get_object()
        richiesta = ControlloRichiestaSerializer(data=request.data)
        richiesta.is_valid(raise_exception=True)
        try:
            services.controllo_attesta(
                rendicontazione=rendicontazione, user=request.user, **richiesta.validated_data
            )
        except DjangoValidationError as error:
            raise as_api_error(error, richiesta.fields) from error
        return self._rispondi(rendicontazione)

    @extend_schema(
        request=ControlloRichiestaSerializer,
        responses=RendicontazioneSerializer,
        description="Revoca l'attestazione di un controllo della domanda in bozza.",
    )
    @action(detail=True, methods=["post"], url_path="revoca-controllo")
    def revoca_controllo(self, request, pk=None):
        rendicontazione = self.get_object()
        richiesta = ControlloRichiestaSerializer(data=request.data)
        richiesta.is_valid(raise_exception=True)
        try:
            services.controllo_revoca(
                rendicontazione=rendicontazione,
                controllo=richiesta.validated_data["controllo"],
                user=request.user,
            )
        except DjangoValidationError as error:
            raise as_api_error(error, richiesta.fields) from error
        return self._rispondi(rendicontazione)
