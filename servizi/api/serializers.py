"""Serializers of the servizi API. They only convert types: the rules are checked by
the models and the services, so the API answers with the pages' Italian messages."""

from rest_framework import serializers

from ambito.api.serializers import ScopedChoicesMixin, importo
from ambito.models import Ambito, Comune, Ente

from ..choices import AreaUtenza, Natura
from ..models import (
    AreaIntervento,
    Avviso,
    DatoAnnuale,
    QuotaAvviso,
    Servizio,
    TipoUnitaOfferta,
    UnitaOfferta,
)


class AreaInterventoSerializer(serializers.ModelSerializer):
    class Meta:
        model = AreaIntervento
        fields = ["id", "codice", "nome", "ordine"]


class TipoUnitaOffertaSerializer(serializers.ModelSerializer):
    class Meta:
        model = TipoUnitaOfferta
        fields = ["id", "codice", "nome", "sigla", "area", "natura", "ordine"]


class ServizioSerializer(serializers.ModelSerializer):
    area_codice = serializers.CharField(source="area.codice", read_only=True)
    ente_gestore_nome = serializers.CharField(
        source="ente_gestore.nome", read_only=True, default=None, allow_null=True
    )
    comuni = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    linee = serializers.SlugRelatedField(many=True, read_only=True, slug_field="codice")

    class Meta:
        model = Servizio
        fields = [
            "id",
            "ambito",
            "nome",
            "tipo",
            "area",
            "area_codice",
            "stato",
            "leps",
            "ente_gestore",
            "ente_gestore_nome",
            "data_avvio",
            "sezione",
            "comuni",
            "linee",
            "descrizione",
            "sviluppo_futuro",
        ]


class DatoAnnualeSerializer(serializers.ModelSerializer):
    servizio = serializers.IntegerField(source="grandezza.servizio_id", read_only=True)
    servizio_nome = serializers.CharField(source="grandezza.servizio.nome", read_only=True)
    grandezza_codice = serializers.CharField(source="grandezza.codice", read_only=True)
    grandezza_nome = serializers.CharField(source="grandezza.nome", read_only=True)
    unita = serializers.CharField(source="grandezza.unita", read_only=True)
    comune_nome = serializers.CharField(
        source="comune.nome", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = DatoAnnuale
        fields = [
            "id",
            "servizio",
            "servizio_nome",
            "grandezza",
            "grandezza_codice",
            "grandezza_nome",
            "unita",
            "anno",
            "comune",
            "comune_nome",
            "categoria",
            "valore",
            "nota",
        ]


class QuotaAvvisoSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuotaAvviso
        fields = ["tipo", "riferimento", "importo"]


class AvvisoSerializer(serializers.ModelSerializer):
    misura_nome = serializers.CharField(source="servizio.nome", read_only=True)
    risorse_erogate = importo(read_only=True, allow_null=True)
    risorse_riprogrammate = importo(read_only=True, allow_null=True)
    quote = QuotaAvvisoSerializer(many=True, read_only=True)

    class Meta:
        model = Avviso
        fields = [
            "id",
            "servizio",
            "misura_nome",
            "numero",
            "titolo",
            "riferimento",
            "data_apertura",
            "data_chiusura",
            "domande_finanziate",
            "domande_scorrimento",
            "domande_in_attesa",
            "risorse_erogate",
            "risorse_riprogrammate",
            "risorse_erogate_stampate",
            "quote",
            "nota",
        ]


class UnitaOffertaSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    scoped_fields = {"ambito": "editable", "comune": "visible", "ente_gestore": "visible"}

    ambito = serializers.PrimaryKeyRelatedField(queryset=Ambito.objects.all())
    comune = serializers.PrimaryKeyRelatedField(
        queryset=Comune.objects.all(), required=False, allow_null=True
    )
    ente_gestore = serializers.PrimaryKeyRelatedField(
        queryset=Ente.objects.all(), required=False, allow_null=True
    )
    # No min_value: a negative capacity gets the model's Italian message.
    posti = serializers.IntegerField(required=False, allow_null=True)
    tipo_nome = serializers.CharField(source="tipo.nome", read_only=True)
    natura = serializers.CharField(source="tipo.natura", read_only=True)
    comune_nome = serializers.CharField(
        source="comune.nome", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = UnitaOfferta
        fields = [
            "id",
            "ambito",
            "area",
            "tipo",
            "tipo_nome",
            "natura",
            "nome",
            "comune",
            "comune_nome",
            "localita",
            "posti",
            "gestione",
            "ente_gestore",
            "note",
        ]


class ConteggiUnitaSerializer(serializers.Serializer):
    unita = serializers.IntegerField()
    pubbliche = serializers.IntegerField()
    private = serializers.IntegerField()
    non_indicate = serializers.IntegerField()
    posti = serializers.IntegerField()
    senza_posti = serializers.IntegerField()


class RigaRiepilogoUnitaSerializer(ConteggiUnitaSerializer):
    natura = serializers.ChoiceField(choices=Natura.choices)
    area = serializers.ChoiceField(choices=AreaUtenza.choices)
    tipo = serializers.IntegerField()
    tipo_nome = serializers.CharField()


class RiepilogoUnitaSerializer(serializers.Serializer):
    """Fixed-size summary (one row per nature, area and type): not paginated."""

    righe = RigaRiepilogoUnitaSerializer(many=True)
    totale = ConteggiUnitaSerializer()


class PostiComuneSerializer(serializers.Serializer):
    comune = serializers.IntegerField()
    comune_nome = serializers.CharField()
    posti_per_area = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="Posti per codice di area."
    )
    posti = serializers.IntegerField(allow_null=True)
    residenti = serializers.IntegerField(allow_null=True)
    posti_per_mille = serializers.CharField(allow_null=True)


class PostiAmbitoSerializer(PostiComuneSerializer):
    id = serializers.IntegerField()
    comune = None
    comune_nome = None


class PostiPerMilleSerializer(serializers.Serializer):
    """Fixed-size summary (one row per Comune of the Ambito): not paginated."""

    anno = serializers.IntegerField(allow_null=True)
    comuni = PostiComuneSerializer(many=True)
    ambito = PostiAmbitoSerializer(allow_null=True)
