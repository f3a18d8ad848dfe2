from rest_framework import serializers

from ..models import Ambito, Comune, DatiDemografici, Ente


class AmbitoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ambito
        fields = ["id", "nome", "codice", "regione", "ente_capofila"]


class ComuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comune
        fields = ["id", "codice_istat", "nome", "sigla_provincia", "ambito"]


class DatiDemograficiSerializer(serializers.ModelSerializer):
    class Meta:
        model = DatiDemografici
        fields = [
            "id",
            "comune",
            "anno",
            "residenti",
            "famiglie",
            "componenti_medi",
            "stranieri",
            "stranieri_minori",
            "fonte",
        ]


class EnteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ente
        fields = ["id", "nome", "tipo", "codice_fiscale", "ambito", "comune"]
