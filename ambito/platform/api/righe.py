"""Fixed-size API lists whose rows are kept in the cache as JSON, one entry per Ambito.

A user of many Ambiti (a Regione, an Ufficio di Piano of a consortium, the superuser)
asks for thousands of rows at once; most of their cost was Python's: unpickling cached
model instances and serializing them row by row, again at every request. Here each
Ambito's rows are serialized once, by the same serializer, and kept as the JSON text
they become; the texts of a request's Ambiti, joined, are one more entry
(`unione_per_ambito`). A change in one Ambito renews only that Ambito's entry and the
unions that hold it, so the next request serializes that one Ambito again.
"""

import json

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ambito.platform.cache import unione_per_ambito


class RigheJSON(Response):
    """A list response whose JSON is already written: served as it is to a JSON client;
    any other format (CSV) renders `data`, the same rows read back."""

    def __init__(self, testo_json: bytes):
        self.testo_json = testo_json
        super().__init__()

    @property
    def data(self):
        return json.loads(self.testo_json)

    @data.setter
    def data(self, valore):
        assert valore is None, "the rows are the JSON given to the constructor"

    @property
    def rendered_content(self):
        renderer = self.accepted_renderer
        if type(renderer) is JSONRenderer and not renderer.get_indent(self.accepted_media_type, {}):
            self["Content-Type"] = renderer.media_type
            return self.testo_json
        return super().rendered_content


def righe_per_ambito(
    request, nome, ambito_ids, calcola, serializer_class, *parti, sezioni
) -> RigheJSON:
    """The rows of `ambito_ids`, in that order, each Ambito's from the cache or from
    `calcola(ids)` ({Ambito id: rows}, for the Ambiti missing only) through
    `serializer_class`. The entries depend on the user's roles in each Ambito, on
    `parti` (the filters) and on the `sezioni` of the Ambiti's data that they read."""
    renderer = JSONRenderer()

    def scrivi(ids):
        righe = calcola(ids)
        return {
            a: renderer.render(serializer_class(righe.get(a, []), many=True).data)[1:-1]
            for a in ids
        }

    def unisci(frammenti):
        return b"[%s]" % b",".join(f for f in frammenti if f)

    return RigheJSON(
        unione_per_ambito(
            nome, ambito_ids, scrivi, unisci, *parti, lettore=request.user, sezioni=sezioni
        )
    )


def elenchi_per_ambito(
    request, nome, ambito_ids, calcola, serializer_class, *parti, sezioni
) -> RigheJSON:
    """An object of lists whose rows each belong to an Ambito (`serializer_class`, of
    list fields only), cached as `righe_per_ambito` caches a list: `calcola(ids)` gives
    {Ambito id: {field: its rows}} for the Ambiti missing; each list holds the Ambiti's
    rows in the order of `ambito_ids`."""
    renderer = JSONRenderer()
    campi = list(serializer_class().fields)
    vuoto = dict.fromkeys(campi, [])

    def scrivi(ids):
        elenchi = calcola(ids)
        return {
            a: {
                campo: renderer.render(righe)[1:-1]
                for campo, righe in serializer_class(elenchi.get(a, vuoto)).data.items()
            }
            for a in ids
        }

    def unisci(frammenti):
        elenchi = (
            b'"%s":[%s]' % (campo.encode(), b",".join(f[campo] for f in frammenti if f[campo]))
            for campo in campi
        )
        return b"{" + b",".join(elenchi) + b"}"

    return RigheJSON(
        unione_per_ambito(
            nome, ambito_ids, scrivi, unisci, *parti, lettore=request.user, sezioni=sezioni
        )
    )
