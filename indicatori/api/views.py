"""API of the indicators: the same scoping, FilterSets, selectors and services as the pages."""

import datetime
import functools
from collections import defaultdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from ambito.models import Ambito
from ambito.platform.api.pagination import ElencoAPagine, Paginazione
from ambito.platform.api.righe import righe_per_ambito
from ambito.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, as_api_error
from ambito.platform.cache import INDICATORI
from ambito.platform.compilate import campi, istanze
from ambito.platform.querysets import CompilataVisibile
from ambito.validators import e_un_id
from programmi.models import PianoDiZona, Scheda

from .. import regione, selectors, services
from ..filtersets import IndicatoreFilterSet, PeriodoFilterSet, ValoreFilterSet
from ..models import Indicatore, Periodo, Valore
from . import serializers


def _servizio(funzione, campi=(), **kwargs):
    """Call a service; its Django ValidationError becomes a 400 naming the request's
    fields (`campi`) it is about, or none (a workflow rule)."""
    try:
        return funzione(**kwargs)
    except DjangoValidationError as error:
        raise as_api_error(error, campi) from error


class IndicatoreViewSet(ScopedReadOnlyViewSet):
    queryset = (
        Indicatore.objects.select_related("piano", "scheda")
        .prefetch_related("categorie")
        .order_by("piano", *selectors.ORDINE_INDICATORI)
    )
    serializer_class = serializers.IndicatoreSerializer
    filterset_class = IndicatoreFilterSet
    ordering_fields = ["codice", "ordine", "tipo"]


class PeriodoViewSet(ScopedReadOnlyViewSet):
    """Reporting periods; the Ufficio di Piano closes and reopens them (with a reason)."""

    queryset = Periodo.objects.select_related("ambito").order_by("-data_fine")
    permission_required = {
        "chiudi": "indicatori.chiude_periodo",
        "riapri": "indicatori.riapre_periodo",
    }
    serializer_class = serializers.PeriodoSerializer
    filterset_class = PeriodoFilterSet
    ordering_fields = ["data_fine", "scadenza", "codice"]

    def _cambia(self, request, funzione):
        periodo = self.get_object()  # 404 out of scope, 403 unless the rule allows
        dati = serializers.MotivoSerializer(data=request.data)
        dati.is_valid(raise_exception=True)
        periodo = _servizio(
            funzione,
            campi=dati.fields,
            user=request.user,
            periodo=periodo,
            motivo=dati.validated_data["motivo"],
        )
        return Response(self.get_serializer(periodo).data)

    @extend_schema(request=serializers.MotivoSerializer, responses=serializers.PeriodoSerializer)
    @action(detail=True, methods=["post"])
    def chiudi(self, request, pk=None):
        return self._cambia(request, services.periodo_close)

    @extend_schema(request=serializers.MotivoSerializer, responses=serializers.PeriodoSerializer)
    @action(detail=True, methods=["post"])
    def riapri(self, request, pk=None):
        return self._cambia(request, services.periodo_reopen)


class ValoreViewSet(ScopedModelViewSet):
    """Values per indicator, Comune (or Ambito) and period.

    Operators write their Comune's values in open periods, the Ufficio di Piano every
    value of its Ambito; every write goes through `services.valori_save`, so the rules
    and messages are the entry grid's. An update must send the `versione` it read.
    """

    queryset = Valore.objects.all()
    permission_required = {
        "approva": "indicatori.approva_valore",
        "respingi": "indicatori.restituisce_valore",
    }
    serializer_class = serializers.ValoreSerializer
    filterset_class = ValoreFilterSet
    ordering_fields = ["periodo__data_fine", "indicatore__codice", "comune__nome", "stato"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by(*selectors.ORDINE_VALORI)
        if self.action == "list":
            # A list shows the columns alone (of the related objects only the ids):
            # read as dicts, the serializer's rows need no model instances.
            return queryset.values(*_COLONNE_VALORE)
        if self.request.method in SAFE_METHODS:
            return queryset  # the serializer shows only the ids of the related objects
        # Writes check and save the value's cell: its objects come with it.
        return queryset.select_related("indicatore", "periodo", "comune", "categoria")

    def list(self, request, *args, **kwargs):
        elenco = _valori_del_periodo(request)
        if elenco is None:
            return super().list(request, *args, **kwargs)
        pagina = self.paginate_queryset(elenco)
        return self.get_paginated_response(self.get_serializer(pagina, many=True).data)

    def perform_save(self, serializer):
        dati = serializer.validated_data
        valore = serializer.instance
        if valore is None:
            cella = {k: dati.get(k) for k in ("indicatore", "periodo", "comune", "categoria")}
            salva, versione = services.valore_create, 0
        else:
            cella = {
                "indicatore": valore.indicatore,
                "periodo": valore.periodo,
                "comune": valore.comune,
                "categoria": valore.categoria,
            }
            # The version read: the body's `versione`, else the If-Match already checked.
            salva, versione = services.valore_save, dati.get("versione", valore.versione)

        def campo(nome, default=""):
            if nome in dati:
                return dati[nome]
            return getattr(valore, nome) if valore is not None else default

        return salva(
            user=self.request.user,
            **cella,
            valore_numerico=campo("valore_numerico", None),
            valore_testo=campo("valore_testo") or "",
            commento=campo("commento") or "",
            versione=versione,
            conferma_anomalia=dati.get("conferma_anomalia", False),
        )

    @extend_schema(request=serializers.InvioSerializer, responses=serializers.InviatiSerializer)
    @action(detail=False, methods=["post"])
    def invia(self, request):
        """Send the drafts of a Comune (or of the Ambito) in a period to the UdP."""
        dati = serializers.InvioSerializer(data=request.data, context={"request": request})
        dati.is_valid(raise_exception=True)
        n = _servizio(
            services.valori_submit,
            campi=dati.fields,
            user=request.user,
            periodo=dati.validated_data["periodo"],
            comune=dati.validated_data.get("comune"),
        )
        return Response({"inviati": n})

    @extend_schema(request=serializers.InvioSerializer, responses=serializers.ApprovatiSerializer)
    @action(detail=False, methods=["post"], url_path="approva-comune")
    def approva_comune(self, request):
        """Approve every submitted value of a Comune (or of the Ambito) in a period."""
        dati = serializers.InvioSerializer(data=request.data, context={"request": request})
        dati.is_valid(raise_exception=True)
        n = _servizio(
            services.valori_approve_comune,
            campi=dati.fields,
            user=request.user,
            periodo=dati.validated_data["periodo"],
            comune=dati.validated_data.get("comune"),
        )
        return Response({"approvati": n})

    @extend_schema(request=None, responses=serializers.ValoreSerializer)
    @action(detail=True, methods=["post"])
    def approva(self, request, pk=None):
        valore = self.get_object()
        _servizio(
            services.valori_approve,
            user=request.user,
            periodo=valore.periodo,
            valori=Valore.objects.filter(pk=valore.pk),
            scostamenti_approvati=[valore.pk],  # approving this one value is the tick
        )
        valore.refresh_from_db()
        return Response(self.get_serializer(valore).data)

    @extend_schema(request=serializers.MotivoSerializer, responses=serializers.ValoreSerializer)
    @action(detail=True, methods=["post"])
    def respingi(self, request, pk=None):
        valore = self.get_object()
        dati = serializers.MotivoSerializer(data=request.data)
        dati.is_valid(raise_exception=True)
        _servizio(
            services.valori_reject,
            campi=dati.fields,
            user=request.user,
            periodo=valore.periodo,
            valori=Valore.objects.filter(pk=valore.pk),
            motivo=dati.validated_data["motivo"],
        )
        valore.refresh_from_db()
        return Response(self.get_serializer(valore).data)


def _data(request, nome):
    testo = request.query_params.get(nome)
    if not testo:
        return None
    try:
        return datetime.date.fromisoformat(testo)
    except ValueError as error:
        raise exceptions.ValidationError(
            {nome: ["Data non valida (AAAA-MM-GG)."]}, code="invalid"
        ) from error


def _oggetto(request, righe, nome, *, obbligatorio=False):
    """The object whose id the query parameter `nome` gives, among `righe(id)` (its
    rows of that id, read only when the parameter is given): like a FilterSet's choice,
    a missing, malformed or unknown id answers 400 on that parameter."""
    valore = request.query_params.get(nome)
    if not valore:
        if obbligatorio:
            raise exceptions.ValidationError({nome: ["Parametro obbligatorio."]}, code="required")
        return None
    if not e_un_id(valore):
        raise exceptions.ValidationError({nome: ["Indicare l'id numerico."]}, code="invalid")
    oggetto = next(iter(righe(int(valore))), None)
    if oggetto is None:
        raise exceptions.ValidationError(
            {nome: [_("Nessun elemento visibile con id %(id)s.") % {"id": valore}]},
            code="invalid_choice",
        )
    return oggetto


def _uno(righe, pk):
    # One id, one row at most: no ORDER BY (first() would sort by the model's ordering,
    # joining the Ambito for a plan's), only the LIMIT.
    return righe.filter(pk=pk).order_by()[:1]


@functools.cache
def _per_id(model) -> CompilataVisibile:
    """The visible row of `model` with an id, compiled once per model: its ORM
    building cost more CPU than its running."""
    return CompilataVisibile(model, lambda righe, pk: _uno(righe.values_list(*campi(model)), pk))


_COLONNE_VALORE = campi(Valore)  # a list's rows: the columns, as dicts (see get_queryset)


def _del_periodo(righe, periodo_id):
    return righe.filter(periodo_id=periodo_id)


# The values of a period, a page at a time, and their number (grouped by the period:
# one row, none without values), as the list's queryset reads them filtered by the
# period: compiled once per shape.
_VALORI_DEL_PERIODO = CompilataVisibile(
    Valore,
    lambda righe, periodo_id: (
        _del_periodo(righe, periodo_id)
        .order_by(*selectors.ORDINE_VALORI)
        .values_list(*_COLONNE_VALORE)
    ),
)
_QUANTI_DEL_PERIODO = CompilataVisibile(
    Valore,
    lambda righe, periodo_id: (
        _del_periodo(righe, periodo_id)
        .order_by()
        .values("periodo_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    ),
)
_PARAMETRI_DEL_PERIODO = {
    "periodo",
    Paginazione.page_query_param,
    Paginazione.page_size_query_param,
}


def _valori_del_periodo(request) -> ElencoAPagine | None:
    """The values list of one visible period (`?periodo=<id>`, no other filter, no
    ordering, JSON), the list's most common request, read by compiled queries: the
    FilterSet, the ORM's building of the page and of its count cost more CPU than
    running them. The same rows, count and pages as the list's queryset (the tests
    compare them); None for any other request, which the FilterSet and the ordering
    decide (and answer with their 400, for a period not visible too)."""
    parametri = request.query_params
    periodo = parametri.get("periodo")
    if (
        request.accepted_renderer.format != "json"
        or not parametri.keys() <= _PARAMETRI_DEL_PERIODO
        or len(parametri.getlist("periodo")) != 1
        or not e_un_id(periodo)
        or not _per_id(Periodo).righe(request.user, int(periodo))
    ):
        return None
    user, periodo = request.user, int(periodo)

    def conta():
        righe = _QUANTI_DEL_PERIODO.righe(user, periodo)
        return righe[0][0] if righe else 0

    def pagina(inizio, quante):
        righe = _VALORI_DEL_PERIODO.righe(user, periodo, pagina=(inizio, quante))
        return [dict(zip(_COLONNE_VALORE, riga, strict=True)) for riga in righe]

    return ElencoAPagine(conta, pagina)


def _visibile(request, model, nome, *, obbligatorio=False):
    return _oggetto(
        request,
        lambda pk: istanze(model, _per_id(model).righe(request.user, pk)),
        nome,
        obbligatorio=obbligatorio,
    )


def _area(request):
    """The optional area of intervention (reference data, the same for every user)."""
    from servizi.models import AreaIntervento

    return _oggetto(request, lambda pk: _uno(AreaIntervento.objects.all(), pk), "area")


PARAMETRO_AREA = OpenApiParameter("area", int, description="Area di intervento (id)")


class AvanzamentoViewSet(viewsets.ViewSet):
    """Progress of every indicator against its target, with the status."""

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    serializer_class = serializers.AvanzamentoSerializer  # the CSV's column labels

    @extend_schema(
        parameters=[
            OpenApiParameter("piano", int, description="Piano di Zona (id)"),
            OpenApiParameter("scheda", int, description="Scheda (id)"),
            PARAMETRO_AREA,
            OpenApiParameter("al", OpenApiTypes.DATE, description="Data di riferimento"),
        ],
        responses=serializers.AvanzamentoSerializer(many=True),
        description=(
            "Riepilogo a dimensione fissa, non paginato: una riga per indicatore visibile "
            "(filtrato dai parametri)."
        ),
    )
    def list(self, request):
        filtri = {
            "piano": _visibile(request, PianoDiZona, "piano"),
            "scheda": _visibile(request, Scheda, "scheda"),
            "area": _area(request),
            "al": _data(request, "al"),
        }

        def calcola(ambiti):
            # The selector itself, not its per-user cache: the rows are cached here,
            # per Ambito, as JSON.
            per_ambito = defaultdict(list)
            for riga in selectors.avanzamento_indicatori.__wrapped__(
                fetched_by=request.user, ambiti=ambiti, **filtri
            ):
                per_ambito[riga.indicatore.piano.ambito_id].append(riga)
            return per_ambito

        return righe_per_ambito(
            request,
            "api:avanzamento",
            _ambiti_letti(request.user, filtri["piano"], filtri["scheda"]),
            calcola,
            serializers.AvanzamentoSerializer,
            *(getattr(valore, "pk", valore) for valore in filtri.values()),
            sezioni=[INDICATORI],
        )


def _ambiti_letti(user, piano, scheda) -> list[int]:
    """The Ambiti whose rows a list holds, by name: the plan's or scheda's, if given."""
    if piano is not None or scheda is not None:
        return [(piano or scheda.piano).ambito_id]
    return [riga[0] for riga in _AMBITI_PER_NOME.righe(user)]


# The ids of the Ambiti a user reads, by name, compiled once per number of Ambiti: a
# Regione's list of hundreds cost the ORM ~1 ms to build.
_AMBITI_PER_NOME = CompilataVisibile(Ambito, lambda righe: righe.order_by("nome").values_list("pk"))


class CompletezzaViewSet(viewsets.ViewSet):
    """Per Comune: values due, sent, approved in a period, and whether on time."""

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    serializer_class = serializers.CompletezzaSerializer  # the CSV's column labels

    @extend_schema(
        parameters=[
            OpenApiParameter("periodo", int, required=True, description="Periodo (id)"),
            PARAMETRO_AREA,
        ],
        responses=serializers.CompletezzaSerializer(many=True),
        description=(
            "Riepilogo a dimensione fissa, non paginato: una riga per Comune del periodo."
        ),
    )
    def list(self, request):
        periodo = _visibile(request, Periodo, "periodo", obbligatorio=True)
        area = _area(request)

        def calcola(ambiti):
            # The selector itself, not its per-user cache: the rows are cached here as
            # JSON (no Comune objects to pickle, nothing to serialize when cached).
            righe = selectors.completezza_periodo.__wrapped__(
                fetched_by=request.user, periodo=periodo, area=area
            )
            return {periodo.ambito_id: righe}

        return righe_per_ambito(
            request,
            "api:completezza",
            [periodo.ambito_id],
            calcola,
            serializers.CompletezzaSerializer,
            periodo.pk,
            getattr(area, "pk", None),
            sezioni=[INDICATORI],
        )


class BeneficiariViewSet(viewsets.GenericViewSet):
    """Beneficiaries (sum of the «beneficiari» indicators) per Comune and period."""

    serializer_class = serializers.BeneficiariSerializer
    queryset = Valore.objects.none()  # for the schema: the rows are aggregates
    filter_backends = []  # its own parameters, read in list()

    @extend_schema(
        parameters=[
            OpenApiParameter("periodo", int, description="Periodo (id)"),
            OpenApiParameter("ambito", int, description="Ambito (id)"),
            PARAMETRO_AREA,
        ],
        description="Una riga per Comune e periodo, per periodo e Comune; paginato.",
    )
    def list(self, request):
        periodo = _visibile(request, Periodo, "periodo")
        righe = selectors.beneficiari_per_comune_righe(
            fetched_by=request.user,
            ambito=_visibile(request, Ambito, "ambito"),
            periodi=[periodo] if periodo else None,
            area=_area(request),
        )
        pagina = self.paginate_queryset(righe)  # rows with their names: no query per page
        return self.get_paginated_response(self.get_serializer(pagina, many=True).data)


class RegioneViewSet(viewsets.ViewSet):
    """The regional dashboard's figures (Regione): every Ambito of the region, and its
    Comuni for one indicator. Only approved values count."""

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "regione",
                str,
                description="Regione (predefinita: la prima); «tutte»: tutte le regioni",
            ),
            OpenApiParameter("anno", int, description="Anno di residenti e fondi"),
            OpenApiParameter("provincia", str, description="Sigla della provincia"),
            PARAMETRO_AREA,
            OpenApiParameter("indicatore", str, description="Codice dell'indicatore per Comune"),
            OpenApiParameter("ordina", str, description="Ordinamento degli Ambiti"),
        ],
        responses=serializers.RegioneSerializer,
        description="Riepilogo a dimensione fissa, non paginato: una riga per Ambito.",
    )
    def list(self, request):
        form, dati = regione.da_parametri(user=request.user, parametri=request.query_params)
        if dati is None:
            raise exceptions.ValidationError(form.errors)
        return Response(serializers.RegioneSerializer(dati).data)
