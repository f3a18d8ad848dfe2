"""The API's JSON parser: any body that is not JSON we can use answers 400 in Italian."""

import codecs
from json import JSONDecodeError

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# No request of this API nests more than a few levels; far deeper bodies are refused
# before they reach the code that walks them (serializers, the audit trail, errors).
PROFONDITA_MASSIMA = 32


def _profondita(dati) -> int:
    """How deeply lists and objects nest in parsed JSON (iterative: no recursion)."""
    massima = 0
    da_vedere = [(dati, 1)]
    while da_vedere:
        valore, livello = da_vedere.pop()
        if isinstance(valore, dict):
            figli = valore.values()
        elif isinstance(valore, list):
            figli = valore
        else:
            continue
        massima = max(massima, livello)
        if massima > PROFONDITA_MASSIMA:
            break
        da_vedere.extend((figlio, livello + 1) for figlio in figli)
    return massima


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with Italian messages and a limit on nesting.

    DRF turns a ValueError into a 400 whose message is English, and lets the
    RecursionError of a deeply nested body (`{"a": {"a": ...}}` thousands of levels
    deep) escape as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            "".encode(encoding)  # a text codec, not e.g. bz2_codec (see DRF's get_encoding)
        except (LookupError, UnicodeError):
            raise ParseError(
                _("La codifica «%(codifica)s» indicata nel Content-Type non è supportata.")
                % {"codifica": encoding}
            ) from None
        parse_constant = json.strict_constant if self.strict else None
        try:
            dati = json.load(codecs.getreader(encoding)(stream), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(self._troppo_annidato()) from None
        except JSONDecodeError as errore:
            raise ParseError(
                _(
                    "Il corpo della richiesta non è un JSON valido "
                    "(riga %(riga)d, colonna %(colonna)d)."
                )
                % {"riga": errore.lineno, "colonna": errore.colno}
            ) from None
        except ValueError:  # bad bytes for the encoding, NaN or Infinity
            raise ParseError(_("Il corpo della richiesta non è un JSON valido.")) from None
        if _profondita(dati) > PROFONDITA_MASSIMA:
            raise ParseError(self._troppo_annidato())
        return dati

    def _troppo_annidato(self):
        return _("Il JSON della richiesta annida oggetti o liste oltre %(massimo)d livelli.") % {
            "massimo": PROFONDITA_MASSIMA
        }
