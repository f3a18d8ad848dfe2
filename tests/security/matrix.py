"""The permission matrix: the expected answer of every URL, per role, method and scope.

`test_permission_matrix.py` walks the whole URL configuration and, for every URL,
sends every method as each of seven users, for an object in scope and one out of
scope, and compares the status codes with the table below. A URL without an entry
fails the test with its name: whoever adds a URL adds its row here.

How to read and write an entry
------------------------------
    "app:url_name": Entry(
        kwargs=lambda d, scope: {"pk": d.comune[scope].pk},
        expect={
            #                        anon op_a op_b udp udp_x rev   (in scope | out of scope)
            "GET":                  "302  200  404  200 404  200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": "302  405  405  405 405  405",
        },
    ),

- Roles, always in this order (ROLES): anonymous; Operatore of Comune A (Rozzano);
  Operatore of Comune B (Binasco); Ufficio di Piano of the Ambito (Visconteo);
  Ufficio di Piano of another Ambito (Lodi); Revisore of the Ambito; Regione of the
  Ambito's region (the seventh code; when left out, the same as the Revisore's).
- `kwargs(d, scope)` builds the URL's arguments. scope "in" is an object of the
  Ambito, in Comune A when the object belongs to a Comune; scope "out" is an object
  of the other Ambito. `d` (MatrixData) holds the Ambiti, Comuni and users; build
  your own objects in the lambda with factories (they live for one test).
- `expect`: one key per method or several methods separated by spaces; all of GET,
  POST, PUT, PATCH and DELETE must be covered. One group of codes applies to both
  scopes; "in | out" gives the two scopes separately.
- Bodies are empty (a form without data, `{}` for the API): the matrix checks who gets
  through, not what is valid; pass `body=lambda d, scope, method: {...}` if needed.
  Every request runs in a savepoint that is rolled back, so writes do not leak.
- Patterns without a name (e.g. the admin's catch-all) are keyed "namespace:[route]".
  A key with "*" (fnmatch) covers every URL it matches that is not listed by name,
  the longest matching key winning: "admin:*" covers the whole admin. Such an entry
  may narrow `methods` when the answer cannot depend on the method (the admin sends
  non-staff users to its login before looking at it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anon", "op_a", "op_b", "udp", "udp_x", "rev", "reg")
#: A group of six codes leaves the Regione out: it answers as the Revisore. Its region
#: holds the Ambito "in" and not the Ambito "out", and it reads every Ambito of the
#: region as a Revisore reads his; where it differs (approved values only, the regional
#: dashboard), the entry gives the seventh code.
RUOLO_COME = {"reg": "rev"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SCOPES = ("in", "out")


@dataclass(frozen=True)
class Entry:
    expect: dict[str, str]
    kwargs: Callable | None = None  # (d, scope) -> dict of URL kwargs
    url: Callable | None = None  # (d, scope, url_info) -> path, instead of reverse()
    body: Callable | None = None  # (d, scope, method) -> request body
    methods: tuple[str, ...] = METHODS  # the methods checked (and required in `expect`)

    def parsed(self) -> dict[str, dict[str, dict[str, int]]]:
        """{method: {scope: {role: status}}}, validating the table."""
        result = {}
        for methods, codes in self.expect.items():
            groups = [g.split() for g in codes.split("|")]
            if len(groups) not in (1, 2) or any(
                len(g) not in (len(ROLES) - 1, len(ROLES)) for g in groups
            ):
                raise ValueError(f"{codes!r}: expected 6 or 7 codes, or 'codes | codes'")
            groups = [
                g if len(g) == len(ROLES) else [*g, g[ROLES.index(RUOLO_COME["reg"])]]
                for g in groups
            ]
            if len(groups) == 1:
                groups = groups * 2
            for method in methods.split():
                if method not in self.methods:
                    raise ValueError(f"unknown method {method!r}")
                if method in result:
                    raise ValueError(f"method {method} listed twice")
                result[method] = {
                    scope: dict(zip(ROLES, map(int, group), strict=True))
                    for scope, group in zip(SCOPES, groups, strict=True)
                }
        missing = [m for m in self.methods if m not in result]
        if missing:
            raise ValueError(f"no expected status for {', '.join(missing)}")
        return result

    def scopes(self) -> tuple[str, ...]:
        has_object = self.kwargs is not None or any("|" in v for v in self.expect.values())
        return SCOPES if has_object else ("in",)


# --- Walking the URL configuration ----------------------------------------------------


@dataclass(frozen=True)
class UrlInfo:
    key: str  # "namespace:name", or "namespace:[route]" for patterns without a name
    name: str | None  # the name to reverse(), with namespaces
    segments: tuple = field(default=(), compare=False)  # the route patterns, outermost first

    @property
    def route(self) -> str:
        return "".join(str(s) for s in self.segments)


def all_urls(urlconf=None) -> list[UrlInfo]:
    """Every URL pattern of the project, nested includes and namespaces resolved."""
    found = []

    def walk(patterns, namespaces, segments):
        for item in patterns:
            if isinstance(item, URLResolver):
                ns = [*namespaces, item.namespace] if item.namespace else namespaces
                walk(item.url_patterns, ns, (*segments, item.pattern))
            elif isinstance(item, URLPattern):
                route_segments = (*segments, item.pattern)
                prefix = ":".join(namespaces)
                if item.name:
                    name = f"{prefix}:{item.name}" if prefix else item.name
                    key = name
                else:
                    name = None
                    route = "".join(str(s) for s in route_segments)
                    key = f"{prefix}:[{route}]" if prefix else f"[{route}]"
                found.append(UrlInfo(key=key, name=name, segments=route_segments))

    walk(get_resolver(urlconf).url_patterns, [], ())
    # A name can be shared by two patterns (e.g. format suffixes): check each name once.
    unique = {}
    for info in found:
        unique.setdefault(info.key, info)
    return sorted(unique.values(), key=lambda i: i.key)


def entry_for(info: UrlInfo, matrix: dict[str, Entry]) -> Entry | None:
    if info.key in matrix:
        return matrix[info.key]
    patterns = [k for k in matrix if "*" in k and fnmatchcase(info.key, k)]
    return matrix[max(patterns, key=len)] if patterns else None


_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")
_GROUP = re.compile(r"\((?P<body>[^()?]*)\)")


def _sample_group(body: str) -> str:
    if re.fullmatch(r"[\w-]+(\|[\w-]+)+", body):
        return body.split("|")[0]  # an alternation of literals: take the first
    if body in (".*", ".+"):
        return "pagina-inesistente/"
    return "1"


def sample_path(info: UrlInfo) -> str:
    """A path matching the pattern with placeholder values (for generic entries)."""
    parts = []
    for segment in info.segments:
        text = str(segment)
        if text.startswith("^") or text.endswith("$"):
            text = text.lstrip("^").rstrip("$")
            text = _NAMED_GROUP.sub(lambda m: _sample_group(m["body"]), text)
            text = _GROUP.sub(lambda m: _sample_group(m["body"]), text)
            text = text.replace("\\", "")
        else:
            text = _CONVERTER.sub("1", text)
        parts.append(text)
    return "/" + "".join(parts)


# --- The data the entries refer to ----------------------------------------------------


@dataclass
class MatrixData:
    """What entries build their URLs from: two Ambiti, their Comuni and the seven users."""

    ambito: dict  # {"in": Visconteo, "out": Lodi}
    comune: dict  # {"in": Rozzano (Comune A), "out": Lodi}
    comune_b: object  # Binasco (Comune B)
    users: dict  # {role: User or None}


def _dati_demografici(d, scope):
    from ambito.models import DatiDemografici
    from tests.factories import DatiDemograficiFactory

    comune = d.comune[scope]
    existing = DatiDemografici.objects.filter(comune=comune).order_by("anno").last()
    return existing or DatiDemograficiFactory(comune=comune, anno=2023)


def _ente(d, scope):
    from tests.factories import EnteFactory

    return EnteFactory(ambito=d.ambito[scope])


def _admin_sample(d, scope, info):
    return sample_path(info)


# --- Objects of fondi, indicatori, programmi (built per test, in and out of scope) ------


def _progetto(d, scope):
    from tests.fondi.factories import ProgettoFactory

    return ProgettoFactory(ambito=d.ambito[scope])


def _finanziamento(d, scope):
    from tests.fondi.factories import FinanziamentoFactory

    return FinanziamentoFactory(progetto=_progetto(d, scope))


def _atto(d, scope):
    from fondi.models import Atto

    return Atto.objects.create(
        ambito=d.ambito[scope], tipo="proroga", data="2025-01-01", ente="Regione"
    )


def _avanzamento_fin(d, scope):
    from tests.fondi.factories import AvanzamentoFactory

    return AvanzamentoFactory(progetto=_progetto(d, scope))


def _assegnazione(d, scope):
    from fondi.models import Assegnazione
    from tests.fondi.factories import AssegnazioneFactory

    esistenti = Assegnazione.objects.filter(ambito=d.ambito[scope])
    return AssegnazioneFactory(ambito=d.ambito[scope], anno=_anno_libero(esistenti, "anno"))


def _candidatura(d, scope):
    from fondi.models import Candidatura

    return Candidatura.objects.create(
        avviso="Avviso 1/2022", titolo="Domanda", ambito=d.ambito[scope]
    )


def _altro(scope):
    return "out" if scope == "in" else "in"


def _partecipazione(d, scope):
    from fondi.models import PartecipazioneCandidatura

    return PartecipazioneCandidatura.objects.create(
        candidatura=_candidatura(d, scope), ambito=d.ambito[_altro(scope)]
    )


def _linea_candidatura(d, scope):
    from fondi.models import LineaCandidatura

    return LineaCandidatura.objects.create(
        candidatura=_candidatura(d, scope), linea=_linea("PNRR-M5C2-1.1.1")
    )


def _ente(d, scope):
    from tests.factories import EnteFactory

    return EnteFactory(ambito=d.ambito[scope])


def _partner_progetto(d, scope):
    from fondi.models import PartnerProgetto

    return PartnerProgetto.objects.create(
        progetto=_progetto(d, scope), ente=_ente(d, scope), ruolo="partner"
    )


def _fonte_propria(d, scope):
    from fondi.models import FonteFinanziamento

    # get_or_create: several entries build their paths on the same data.
    ambito = d.ambito[scope]
    return FonteFinanziamento.objects.get_or_create(
        codice=f"PROPRIA-{ambito.pk}",
        defaults={"nome": "Fondo proprio", "livello": "altro", "ambito": ambito},
    )[0]


def _linea_propria(d, scope):
    from fondi.models import LineaFinanziamento

    fonte = _fonte_propria(d, scope)
    return LineaFinanziamento.objects.get_or_create(
        codice=f"{fonte.codice}-1",
        defaults={"fonte": fonte, "nome": "Linea propria", "ambito": fonte.ambito},
    )[0]


def _anno_libero(queryset, campo):
    """The first valid year (1900-2100) not yet used by the rows (unique per Ambito)."""
    usati = set(queryset.values_list(campo, flat=True))
    return next(anno for anno in range(1900, 2099) if anno not in usati)


def _piano(d, scope):
    from programmi.models import PianoDiZona
    from tests.programmi.factories import PianoFactory

    piani = PianoDiZona.objects.filter(ambito=d.ambito[scope])
    return PianoFactory(ambito=d.ambito[scope], anno_inizio=_anno_libero(piani, "anno_inizio"))


def _macroarea(d, scope):
    from tests.programmi.factories import MacroAreaFactory

    return MacroAreaFactory(piano=_piano(d, scope))


def _obiettivo(d, scope):
    from tests.programmi.factories import ObiettivoFactory

    return ObiettivoFactory(piano=_piano(d, scope))


def _valutazione(d, scope):
    from tests.programmi.factories import ValutazioneFactory

    return ValutazioneFactory(obiettivo=_obiettivo(d, scope))


def _scheda(d, scope):
    from tests.programmi.factories import SchedaFactory

    return SchedaFactory(piano=_piano(d, scope))


def _progetto_premiale(d, scope):
    from programmi.models import ProgettoPremiale

    return ProgettoPremiale.objects.create(piano=_piano(d, scope), numero=1, titolo="Premiale")


def _indicatore(d, scope):
    from tests.indicatori.factories import IndicatoreFactory

    return IndicatoreFactory(piano=_piano(d, scope))


def _periodo(d, scope):
    from tests.indicatori.factories import PeriodoFactory

    return PeriodoFactory(ambito=d.ambito[scope])


def _valore(d, scope):
    """A draft value of Comune A (in) or of the other Ambito's Comune (out)."""
    from tests.indicatori.factories import ValoreFactory

    return ValoreFactory(
        indicatore=_indicatore(d, scope), periodo=_periodo(d, scope), comune=d.comune[scope]
    )


def _valore_inviato(d, scope):
    from indicatori.choices import StatoValore

    valore = _valore(d, scope)
    valore.valore_numerico, valore.stato = 12, StatoValore.INVIATO
    valore.save()
    return valore


def _linea(codice):
    from fondi.models import LineaFinanziamento

    return LineaFinanziamento.objects.get(codice=codice)


def _global(model_path, name):
    """url= for a row shared by every Ambito (funding sources and lines): one scope."""

    def build(d, scope, info):
        from django.apps import apps
        from django.urls import reverse

        obj = apps.get_model(model_path).objects.order_by("pk").first()
        return reverse(info.name, kwargs={name: obj.pk})

    return build


def _report(d, scope):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from ambito.models import ReportGenerato

    report = ReportGenerato.objects.create(
        tipo=ReportGenerato.Tipo.RELAZIONE,
        titolo="Relazione",
        ambito=d.ambito[scope],
        generato_da=d.users["udp" if scope == "in" else "udp_x"],
        generato_il=timezone.now(),
        sha256_dati="0" * 64,
    )
    report.file.save(report.nome_file, ContentFile(b"%PDF-1.7 prova"))
    return report


def _richiesta_relazione(d, scope):
    from indicatori.models import RichiestaRelazione

    return RichiestaRelazione.objects.create(
        richiesta_da=d.users["udp" if scope == "in" else "udp_x"],
        ambito=d.ambito[scope],
        chiave=f"matrice-{scope}",
    )


def _richiesta_regione(d, scope):
    """in: the Regione's job (its region's first Ambito); out: one of the other Ambito's
    Ufficio di Piano (a job is its requester's own page, whatever his role)."""
    from indicatori.models import RichiestaRegione

    return RichiestaRegione.objects.create(
        richiesta_da=d.users["reg" if scope == "in" else "udp_x"],
        ambito=d.ambito[scope],
        chiave=f"matrice-regione-{scope}",
        parametri={"regione": d.ambito[scope].regione},
    )


# --- Users, passwords, profile, Ambito set-up ------------------------------------------


def _utente(d, scope):
    """in: the Operatore of Comune A; out: the Ufficio di Piano of the other Ambito."""
    return d.users["op_a" if scope == "in" else "udp_x"]


def _incarico(d, scope):
    return _utente(d, scope).incarichi.first()


BAD_LINK = {"uidb64": "MQ", "token": "abc-123"}


def _esportazione(d, scope):
    from ambito.models import Esportazione

    return Esportazione.objects.create(
        richiesta_da=d.users["udp" if scope == "in" else "udp_x"],
        ambito=d.ambito[scope],
        tipo="valori",
        chiave=f"matrice-esportazione-{scope}",
    )


def _importazione(d, scope):
    from ambito.models import Importazione

    return Importazione.objects.create(
        utente=d.users["udp" if scope == "in" else "udp_x"],
        ambito=d.ambito[scope],
        tipo="valori",
        nome_file="valori.xlsx",
        sha256="0" * 64,
        riepilogo={"errori": ["Il file è vuoto."]},
    )


def _pk(builder):
    return lambda d, s: {"pk": builder(d, s).pk}


# --- The matrix -------------------------------------------------------------------------

NO_WRITE_PAGE = "302 405 405 405 405 405"  # a read-only page: anonymous to login, others 405
API_NO_METHOD = "401 405 405 405 405 405"  # a method the API does not offer
ALL_405 = "405 405 405 405 405 405"

# Roles in every group of codes:  anon  op_a  op_b  udp  udp_x  rev  (reg: as rev)
MATRIX: dict[str, Entry] = {
    # ---- login, logout, home --------------------------------------------------------
    "home": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "login": Entry(
        expect={
            # The login form answers everybody; an empty POST re-renders it with errors.
            "GET POST PUT": "200 200 200 200 200 200",
            "PATCH DELETE": "405 405 405 405 405 405",
        }
    ),
    "logout": Entry(
        expect={
            "POST": "302 302 302 302 302 302",  # logging out is a POST (with CSRF token)
            "GET PUT PATCH DELETE": "405 405 405 405 405 405",
        }
    ),
    # ---- passwords, profile (every user, his own) -------------------------------------
    # Django's reset views answer everybody the same, known address or not.
    "password_reset": Entry(
        expect={"GET POST PUT": "200 200 200 200 200 200", "PATCH DELETE": ALL_405}
    ),
    "password_reset_done": Entry(
        expect={"GET": "200 200 200 200 200 200", "POST PUT PATCH DELETE": ALL_405}
    ),
    "password_reset_complete": Entry(
        expect={"GET": "200 200 200 200 200 200", "POST PUT PATCH DELETE": ALL_405}
    ),
    # A link that is not valid: the page says so, whatever the method.
    "password_reset_confirm": Entry(
        kwargs=lambda d, s: BAD_LINK,
        expect={"GET POST PUT PATCH DELETE": "200 200 200 200 200 200"},
    ),
    "invito_conferma": Entry(
        kwargs=lambda d, s: BAD_LINK,
        expect={"GET POST PUT PATCH DELETE": "200 200 200 200 200 200"},
    ),
    "profilo": Entry(
        expect={"GET POST PUT": "302 200 200 200 200 200", "PATCH DELETE": NO_WRITE_PAGE}
    ),
    "password_change": Entry(
        expect={"GET POST PUT": "302 200 200 200 200 200", "PATCH DELETE": NO_WRITE_PAGE}
    ),
    # ---- users and roles of the Ambito (Ufficio di Piano) -----------------------------
    "utenti:utente_list": Entry(
        expect={
            "GET": "302 403 403 200 200 403",
            "POST PUT PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "utenti:utente_invite": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    # in: the Operatore of Comune A; out: the other Ambito's UdP (his own page: no actions).
    "utenti:utente_detail": Entry(
        kwargs=lambda d, s: {"pk": _utente(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 403 403 404 200 403",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 403 403 404 405 403",
        },
    ),
    # POST only; nobody deactivates, reactivates or re-invites himself (403).
    "utenti:utente_deactivate": Entry(
        kwargs=lambda d, s: {"pk": _utente(d, s).pk},
        expect={
            "POST": "302 403 403 302 404 403 | 302 403 403 404 403 403",
            "GET PUT PATCH DELETE": "302 403 403 405 405 403",
        },
    ),
    "utenti:utente_reactivate": Entry(
        kwargs=lambda d, s: {"pk": _utente(d, s).pk},
        expect={
            "POST": "302 403 403 302 404 403 | 302 403 403 404 403 403",
            "GET PUT PATCH DELETE": "302 403 403 405 405 403",
        },
    ),
    "utenti:utente_reinvite": Entry(
        kwargs=lambda d, s: {"pk": _utente(d, s).pk},
        expect={
            "POST": "302 403 403 302 404 403 | 302 403 403 404 403 403",
            "GET PUT PATCH DELETE": "302 403 403 405 405 403",
        },
    ),
    # The UdP of the other Ambito opens his own Incarico (out) but may not revoke it:
    # the refusal is a message on his page (302).
    "utenti:incarico_revoke": Entry(
        kwargs=lambda d, s: {"pk": _incarico(d, s).pk},
        expect={
            "GET": "302 403 403 200 404 403 | 302 403 403 404 200 403",
            "POST": "302 403 403 302 404 403 | 302 403 403 404 302 403",
            "PUT PATCH DELETE": "302 403 403 405 405 403",
        },
    ),
    # ---- setting up an Ambito: the superuser only ---------------------------------------
    "impostazione:ambito_list": Entry(
        expect={"GET POST PUT PATCH DELETE": "302 403 403 403 403 403"}
    ),
    "impostazione:ambito_create": Entry(
        expect={"GET POST PUT PATCH DELETE": "302 403 403 403 403 403"}
    ),
    "impostazione:ambito_detail": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={"GET POST PUT PATCH DELETE": "302 403 403 403 403 403"},
    ),
    # The residents of the ISTAT file: the Ambito's UdP (and the superuser).
    "popolazione_load": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    # ---- territory pages (ambito) ---------------------------------------------------
    "ambito:comune_list": Entry(
        expect={"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
    ),
    # The user's own notices and e-mail choices: every logged-in user, his own only.
    "ambito:notifica_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST": "302 302 302 302 302 302",  # mark as read, back to the list
            "PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:da_fare": Entry(
        expect={"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
    ),
    "ambito:notifica_conteggio": Entry(
        expect={"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
    ),
    "ambito:preferenze": Entry(
        expect={
            "GET POST PUT": "302 200 200 200 200 200",  # an empty form re-renders
            "PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    # The Ambito's reminder schedule: its Ufficio di Piano only; an empty form is valid
    # (no reminder before or after the deadline) and saves (302).
    "ambito:calendariopromemoria": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={
            "GET": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "POST PUT": "302 403 403 302 404 403 | 302 404 404 404 302 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "ambito:ente_list": Entry(
        expect={"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
    ),
    "ambito:comune_create": Entry(
        expect={
            # Creating Comuni is for the Ufficio di Piano; an empty form re-renders (200).
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "ambito:comune_detail": Entry(
        kwargs=lambda d, s: {"pk": d.comune[s].pk},
        expect={
            "GET": "302 200 404 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "ambito:comune_update": Entry(
        kwargs=lambda d, s: {"pk": d.comune[s].pk},
        expect={
            # The Comune's registry is the UdP's: its own Operatore reads it (403 to edit).
            "GET POST PUT": "302 403 404 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "ambito:datidemografici_create": Entry(
        kwargs=lambda d, s: {"comune_pk": d.comune[s].pk},
        expect={
            # Operators write their own Comune's figures; the Revisore writes nothing.
            "GET POST PUT": "302 200 404 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 405 404 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "ambito:datidemografici_update": Entry(
        kwargs=lambda d, s: {"pk": _dati_demografici(d, s).pk},
        expect={
            "GET POST PUT": "302 200 404 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    # ---- audit trail (registro) -----------------------------------------------------
    "registro:index": Entry(
        # The Regione reads approved values only; the trail shows drafts too.
        expect={
            "GET": "302 403 403 200 200 200 403",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405 403",
        }
    ),
    "registro:oggetto": Entry(
        kwargs=lambda d, s: {"modello": "ambito.comune", "pk": d.comune[s].pk},
        expect={
            "GET": "302 403 403 200 404 200 403 | 302 403 403 404 200 404 403",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405 403",
        },
    ),
    "registro:utente": Entry(
        # in: the Operatore of Comune A (a member of the Ambito); out: the other UdP.
        kwargs=lambda d, s: {"pk": d.users["op_a" if s == "in" else "udp_x"].pk},
        expect={
            "GET": "302 403 403 200 404 200 403 | 302 403 403 404 200 404 403",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405 403",
        },
    ),
    # ---- API (/api/v1/) ---------------------------------------------------------------
    "api-root": Entry(
        expect={"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "ambito-list": Entry(
        expect={"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "ambito-detail": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    # The Ambito's totals: every member of the Ambito sees them, operators included.
    "ambito-totali": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "comune-list": Entry(
        expect={"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "comune-detail": Entry(
        kwargs=lambda d, s: {"pk": d.comune[s].pk},
        expect={
            "GET": "401 200 404 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "datidemografici-list": Entry(
        expect={"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "datidemografici-detail": Entry(
        kwargs=lambda d, s: {"pk": _dati_demografici(d, s).pk},
        expect={
            "GET": "401 200 404 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "ente-list": Entry(
        expect={"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "ente-detail": Entry(
        # Enti belong to the Ambito, not to a Comune: both operators read them.
        kwargs=lambda d, s: {"pk": _ente(d, s).pk},
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    # The OpenAPI schema and its documentation page are public (no data in them).
    "schema": Entry(expect={"GET": "200 200 200 200 200 200", "POST PUT PATCH DELETE": ALL_405}),
    "api_docs": Entry(expect={"GET": "200 200 200 200 200 200", "POST PUT PATCH DELETE": ALL_405}),
    # ---- Django admin ---------------------------------------------------------------
    # None of the six users is staff: every admin URL sends them to the admin login
    # before looking at the method or the object.
    "admin:*": Entry(
        url=_admin_sample,
        methods=("GET", "POST"),
        expect={"GET POST": "302 302 302 302 302 302"},
    ),
    # simple-history's version form ("revert") takes no POST at all, not even from
    # the superuser (ambito.platform.audit.admin.admin_storico_in_sola_lettura).
    "admin:*_simple_history": Entry(
        url=_admin_sample,
        expect={"GET": "302 302 302 302 302 302", "POST PUT PATCH DELETE": ALL_405},
    ),
    "admin:login": Entry(
        expect={
            "GET POST PUT": "200 200 200 200 200 200",
            "PATCH DELETE": "405 405 405 405 405 405",
        }
    ),
    # contenttypes' shortcut redirects to the object's page, which applies the scoping.
    "admin:view_on_site": Entry(
        url=lambda d, s, info: f"/admin/r/{_content_type_id()}/{d.comune[s].pk}/",
        expect={"GET POST PUT PATCH DELETE": "302 302 302 302 302 302"},
    ),
}


def _content_type_id():
    from django.contrib.contenttypes.models import ContentType

    from ambito.models import Comune

    return ContentType.objects.get_for_model(Comune).pk


# --- fondi, indicatori, programmi, report ----------------------------------------------
# Checked by hand against the rules (ScopedQuerySet, each app's rules.py, ...): out
# of scope is always 404; a visible object the role may not change is 403.

NEW_ENTRIES: dict[str, Entry] = {
    "fondi:index": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "fondi:fonte_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "fondi:assegnazione_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "fondi:assegnazione_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "fondi:assegnazione_update": Entry(
        kwargs=_pk(_assegnazione),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:progetto_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "fondi:progetto_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "fondi:progetto_detail": Entry(
        kwargs=_pk(_progetto),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:progetto_update": Entry(
        kwargs=_pk(_progetto),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:finanziamento_create": Entry(
        kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:atto_create": Entry(
        kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:finanziamento_update": Entry(
        kwargs=_pk(_finanziamento),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:avanzamento_create": Entry(
        kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:avanzamento_update": Entry(
        kwargs=_pk(_avanzamento_fin),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:partner_progetto_create": Entry(
        kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:partner_progetto_update": Entry(
        kwargs=_pk(_partner_progetto),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:fonte_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "fondi:fonte_update": Entry(
        # An own source of the Ambito: its users see it, its Ufficio di Piano changes it.
        kwargs=_pk(_fonte_propria),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:linea_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "fondi:linea_update": Entry(
        kwargs=_pk(_linea_propria),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:candidatura_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "fondi:candidatura_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "fondi:candidatura_detail": Entry(
        kwargs=_pk(_candidatura),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:candidatura_update": Entry(
        kwargs=_pk(_candidatura),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:linea_candidatura_create": Entry(
        kwargs=lambda d, s: {"candidatura_pk": _candidatura(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:linea_candidatura_update": Entry(
        kwargs=_pk(_linea_candidatura),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "fondi:partecipazione_create": Entry(
        kwargs=lambda d, s: {"candidatura_pk": _candidatura(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "fondi:partecipazione_update": Entry(
        # The partner Ambito reads its share (udp_x in, udp out), the capofila writes it.
        kwargs=_pk(_partecipazione),
        expect={
            "GET POST PUT": "302 403 403 200 403 403 | 302 403 403 403 200 403",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "indicatori:index": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    # The regional dashboard: the Regione only.
    "indicatori:regione": Entry(
        expect={
            "GET": "302 403 403 403 403 403 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:avanzamento": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:contesto": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:cruscotto": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:indicatore_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:valore_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "indicatori:indicatore_detail": Entry(
        kwargs=_pk(_indicatore),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "indicatori:valore_detail": Entry(
        kwargs=_pk(_valore),
        expect={
            # The value is not approved: the Regione does not see it.
            "GET": "302 200 404 200 404 200 404 | 302 404 404 404 200 404",
            "POST": "302 403 404 302 404 403 404 | 302 404 404 404 302 404",
            "PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "indicatori:completezza": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": "302 405 405 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:inserimento_ambito": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "302 403 403 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 403 302 404 403 | 302 404 404 404 302 404",
            "PUT PATCH DELETE": "302 403 403 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:revisione": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "302 403 403 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 403 302 404 403 | 302 404 404 404 302 404",
            "PUT PATCH DELETE": "302 403 403 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:revisione_ambito": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "302 403 403 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 403 400 404 403 | 302 404 404 404 400 404",
            "PUT PATCH DELETE": "302 403 403 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:inserimento": Entry(
        kwargs=lambda d, s: {"pk": _periodo(d, s).pk, "comune_pk": d.comune[s].pk},
        expect={
            "GET": "302 200 404 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 302 404 302 404 403 | 302 404 404 404 302 404",
            "PUT PATCH DELETE": "302 405 404 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:revisione_comune": Entry(
        kwargs=lambda d, s: {"pk": _periodo(d, s).pk, "comune_pk": d.comune[s].pk},
        expect={
            "GET": "302 403 404 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 404 400 404 403 | 302 404 404 404 400 404",
            "PUT PATCH DELETE": "302 403 404 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:approva_tutti": Entry(
        kwargs=lambda d, s: {"pk": _periodo(d, s).pk, "comune_pk": d.comune[s].pk},
        expect={
            "GET": "302 403 404 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 404 400 404 403 | 302 404 404 404 400 404",
            "PUT PATCH DELETE": "302 403 404 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "indicatori:approva_tutti_ambito": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "302 403 403 200 404 200 | 302 404 404 404 200 404",
            "POST": "302 403 403 400 404 403 | 302 404 404 404 400 404",
            "PUT PATCH DELETE": "302 403 403 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "programmi:index": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "programmi:piano_list": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "programmi:piano_create": Entry(
        expect={
            "GET POST PUT": "302 403 403 200 200 403",
            "PATCH DELETE": "302 403 403 405 405 403",
        }
    ),
    "programmi:piano_detail": Entry(
        kwargs=_pk(_piano),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "programmi:piano_update": Entry(
        kwargs=_pk(_piano),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "programmi:macroarea_create": Entry(
        kwargs=lambda d, s: {"piano_pk": _piano(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:macroarea_update": Entry(
        kwargs=_pk(_macroarea),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:obiettivo_create": Entry(
        kwargs=lambda d, s: {"piano_pk": _piano(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:obiettivo_detail": Entry(
        kwargs=_pk(_obiettivo),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "programmi:obiettivo_update": Entry(
        kwargs=_pk(_obiettivo),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:scheda_create": Entry(
        kwargs=lambda d, s: {"piano_pk": _piano(d, s).pk},
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:scheda_detail": Entry(
        kwargs=_pk(_scheda),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "programmi:scheda_update": Entry(
        kwargs=_pk(_scheda),
        expect={
            "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "programmi:valutazione_list": Entry(
        kwargs=_pk(_piano),
        expect={
            "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": "302 405 405 405 404 405 | 302 404 404 404 405 404",
        },
    ),
    "programmi:valutazione_update": Entry(
        kwargs=lambda d, s: {"obiettivo_pk": _obiettivo(d, s).pk},
        expect={
            "GET": "302 403 403 200 404 403 | 302 404 404 404 200 404",
            "POST PUT": "302 403 403 302 404 403 | 302 404 404 404 302 404",
            "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "report:index": Entry(
        expect={
            "GET": "302 200 200 200 200 200",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "report:relazione": Entry(
        # The Ambito chosen in the form: one not visible is an invalid choice (404).
        body=lambda d, s, m: {"ambito": d.ambito[s].pk},
        expect={
            "GET PUT PATCH DELETE": NO_WRITE_PAGE,
            # A job is queued and the answer is its page (303).
            "POST": "302 403 403 303 404 303 | 302 404 404 404 303 404",
        },
    ),
    "report:richiesta_detail": Entry(
        # A job is its requester's own page: the UdP who asked (udp in, udp_x out).
        kwargs=_pk(_richiesta_relazione),
        expect={
            "GET": "302 404 404 200 404 404 | 302 404 404 404 200 404",
            # Retry: a queued job has nothing to retry (a message, back to the page).
            "POST": "302 404 404 303 404 404 | 302 404 404 404 303 404",
            "PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "report:esportazione_create": Entry(
        # The Ambito in the form: one not visible is an invalid choice (404); the
        # Operatori see it but may not export (403).
        body=lambda d, s, m: {"ambito": d.ambito[s].pk, "tipo": "valori"},
        expect={
            "GET PUT PATCH DELETE": NO_WRITE_PAGE,
            # A job is queued and the answer is its page (303).
            "POST": "302 403 403 303 404 303 | 302 404 404 404 303 404",
        },
    ),
    # Imports from Excel: the importer's rule on the Ambito of `?ambito=` (the Revisore
    # reads but does not import), 404 for an Ambito the user does not see.
    "importazioni:importazione_create": Entry(
        url=lambda d, s, info: f"/importazioni/valori/?ambito={d.ambito[s].pk}",
        expect={
            "GET POST PUT": "302 200 200 200 404 403 | 302 404 404 404 200 404",
            "PATCH DELETE": "302 405 405 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    "importazioni:modello": Entry(
        url=lambda d, s, info: (
            f"/importazioni/valori/modello/?ambito={d.ambito[s].pk}&periodo={_periodo(d, s).pk}"
        ),
        expect={
            "GET": "302 200 200 200 404 403 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": "302 405 405 405 404 403 | 302 404 404 404 405 404",
        },
    ),
    # An upload is its uploader's own page (udp in, udp_x out); confirming a refused file
    # shows the message again (200), nothing written.
    "importazioni:importazione_detail": Entry(
        kwargs=lambda d, s: {"tipo": "valori", "pk": _importazione(d, s).pk},
        expect={
            "GET POST": "302 404 404 200 404 404 | 302 404 404 404 200 404",
            "PUT PATCH DELETE": "302 404 404 405 404 404 | 302 404 404 404 405 404",
        },
    ),
    "report:esportazione_detail": Entry(
        # A job is its requester's own page: the UdP who asked (udp in, udp_x out).
        kwargs=_pk(_esportazione),
        expect={
            "GET": "302 404 404 200 404 404 | 302 404 404 404 200 404",
            # Retry: a queued job has nothing to retry (a message, back to the page).
            "POST": "302 404 404 303 404 404 | 302 404 404 404 303 404",
            "PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "report:download": Entry(
        # A Relazione of the Ambito: whoever sees the register row downloads the PDF.
        kwargs=_pk(_report),
        expect={
            "GET": "302 404 404 200 404 200 | 302 404 404 404 200 404",
            "POST PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "report:verifica": Entry(
        expect={
            "GET POST PUT": "302 200 200 200 200 200",
            "PATCH DELETE": NO_WRITE_PAGE,
        }
    ),
    "report:scheda_comune": Entry(
        kwargs=lambda d, s: {"comune_pk": d.comune[s].pk, "periodo_pk": _periodo(d, s).pk},
        expect={
            "GET PUT PATCH DELETE": NO_WRITE_PAGE,
            "POST": "302 200 404 200 404 200 | 302 404 404 404 200 404",
        },
    ),
    # The regional dashboard as a PDF: the Regione only (the region of its Ambiti).
    "report:regione": Entry(
        expect={
            "GET PUT PATCH DELETE": NO_WRITE_PAGE,
            # The Regione's own report: a job is queued and the answer is its page (303).
            "POST": "302 403 403 403 403 403 303",
        },
    ),
    "report:richiesta_regione_detail": Entry(
        # A job is its requester's own page: the Regione who asked (in), the other
        # Ambito's Ufficio di Piano (out).
        kwargs=_pk(_richiesta_regione),
        expect={
            "GET": "302 404 404 404 404 404 200 | 302 404 404 404 200 404 404",
            # Retry: a queued job has nothing to retry (a message, back to the page).
            "POST": "302 404 404 404 404 404 303 | 302 404 404 404 303 404 404",
            "PUT PATCH DELETE": NO_WRITE_PAGE,
        },
    ),
    "report:scheda_progetto": Entry(
        kwargs=_pk(_progetto),
        expect={
            "GET PUT PATCH DELETE": NO_WRITE_PAGE,
            "POST": "302 200 200 200 404 200 | 302 404 404 404 200 404",
        },
    ),
    "fontefinanziamento-list": Entry(
        # An Ufficio di Piano adds its own sources (an empty body is invalid: 400).
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "fontefinanziamento-detail": Entry(
        # A national source: everybody reads it, only the superuser changes it.
        url=_global("fondi.FonteFinanziamento", "pk"),
        expect={
            "GET": "401 200 200 200 200 200",
            "PUT PATCH": "401 403 403 403 403 403",
            "POST DELETE": API_NO_METHOD,
        },
    ),
    "lineafinanziamento-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "lineafinanziamento-detail": Entry(
        url=_global("fondi.LineaFinanziamento", "pk"),
        expect={
            "GET": "401 200 200 200 200 200",
            "PUT PATCH": "401 403 403 403 403 403",
            "POST DELETE": API_NO_METHOD,
        },
    ),
    "assegnazione-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "assegnazione-detail": Entry(
        kwargs=_pk(_assegnazione),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "progetto-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "progetto-detail": Entry(
        kwargs=_pk(_progetto),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST": API_NO_METHOD,
            # A project without financial progress: its lead's Ufficio di Piano deletes it.
            "DELETE": "401 403 403 204 404 403 | 401 404 404 404 204 404",
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "progetto-cambia-stato": Entry(
        kwargs=_pk(_progetto),
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 403 403 400 404 403 | 401 404 404 404 400 404",
        },
    ),
    "finanziamentoprogetto-list": Entry(
        # A valid amount on a project in / out of scope: the project decides who writes;
        # one the user cannot see is an invalid choice (400).
        body=lambda d, s, m: {
            "progetto": _progetto(d, s).pk,
            "linea": _linea("FSE-PLUS").pk,
            "importo": "10.00",
        },
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 201 400 403 | 401 400 400 400 201 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "finanziamentoprogetto-detail": Entry(
        kwargs=_pk(_finanziamento),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "avanzamentofinanziario-list": Entry(
        body=lambda d, s, m: {
            "progetto": _progetto(d, s).pk,
            "data": "2025-06-30",
            **dict.fromkeys(["programmato", "ammesso", "vincolante", "erogato"], "10.00"),
        },
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 201 400 403 | 401 400 400 400 201 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "avanzamentofinanziario-detail": Entry(
        kwargs=_pk(_avanzamento_fin),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "atto-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "candidatura-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "atto-detail": Entry(
        kwargs=_pk(_atto),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "candidatura-detail": Entry(
        kwargs=_pk(_candidatura),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "candidatura-totali": Entry(
        kwargs=_pk(_candidatura),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "partecipazionecandidatura-list": Entry(
        body=lambda d, s, m: {
            "candidatura": _candidatura(d, s).pk,
            "ambito": d.ambito[_altro(s)].pk,
            "quota": "10.00",
        },
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 201 400 403 | 401 400 400 400 201 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "partecipazionecandidatura-detail": Entry(
        # The partner Ambito (udp_x in, udp out) reads its share; the capofila writes.
        kwargs=_pk(_partecipazione),
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": API_NO_METHOD,
            "DELETE": "401 403 403 204 403 403 | 401 403 403 403 204 403",
            "PUT": "401 403 403 400 403 403 | 401 403 403 403 400 403",
            "PATCH": "401 403 403 200 403 403 | 401 403 403 403 200 403",
        },
    ),
    "lineacandidatura-list": Entry(
        body=lambda d, s, m: {
            "candidatura": _candidatura(d, s).pk,
            "linea": _linea("PNRR-M5C2-1.1.2").pk,
            "importo": "10.00",
        },
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 201 400 403 | 401 400 400 400 201 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "lineacandidatura-detail": Entry(
        kwargs=_pk(_linea_candidatura),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST": API_NO_METHOD,
            "DELETE": "401 403 403 204 404 403 | 401 404 404 404 204 404",
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "partnerprogetto-list": Entry(
        body=lambda d, s, m: {
            "progetto": _progetto(d, s).pk,
            "ente": _ente(d, s).pk,
            "ruolo": "partner",
        },
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 201 400 403 | 401 400 400 400 201 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "partnerprogetto-detail": Entry(
        kwargs=_pk(_partner_progetto),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST": API_NO_METHOD,
            "DELETE": "401 403 403 204 404 403 | 401 404 404 404 204 404",
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "fondi-totali": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "fondi-avanzamento-progetti": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "indicatore-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "indicatore-detail": Entry(
        kwargs=_pk(_indicatore),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "periodo-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "periodo-detail": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "periodo-chiudi": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 403 403 400 404 403 | 401 404 404 404 400 404",
        },
    ),
    "periodo-riapri": Entry(
        kwargs=_pk(_periodo),
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 403 403 400 404 403 | 401 404 404 404 400 404",
        },
    ),
    "valore-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 400 400 400 400 400",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "valore-detail": Entry(
        kwargs=_pk(_valore),
        expect={
            # The value is not approved: the Regione does not see it.
            "GET": "401 200 404 200 404 200 404 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT PATCH": "401 400 404 400 404 403 404 | 401 404 404 404 400 404",
        },
    ),
    "valore-approva": Entry(
        kwargs=_pk(_valore),
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 403 404 400 404 403 404 | 401 404 404 404 400 404",
        },
    ),
    "valore-respingi": Entry(
        # A value sent for approval, with the reason: only the Ufficio di Piano returns it.
        kwargs=_pk(_valore_inviato),
        body=lambda d, s, m: {"motivo": "Dato da verificare"},
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 403 404 200 404 403 404 | 401 404 404 404 200 404",
        },
    ),
    "valore-invia": Entry(
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 400 400 400 400 400",
        }
    ),
    "valore-approva-comune": Entry(
        expect={
            "GET PUT PATCH DELETE": API_NO_METHOD,
            "POST": "401 400 400 400 400 400",
        }
    ),
    "regione-list": Entry(
        expect={
            "GET": "401 403 403 403 403 403 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "avanzamento-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "completezza-list": Entry(
        expect={
            "GET": "401 400 400 400 400 400",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "beneficiari-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "piano-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "piano-detail": Entry(
        kwargs=_pk(_piano),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "piano-riepilogo": Entry(
        kwargs=_pk(_piano),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "macroarea-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "macroarea-detail": Entry(
        kwargs=_pk(_macroarea),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "obiettivo-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "obiettivo-detail": Entry(
        kwargs=_pk(_obiettivo),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "valutazione-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "valutazione-detail": Entry(
        kwargs=_pk(_valutazione),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "scheda-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST": "401 403 403 400 400 403",
            "PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "scheda-detail": Entry(
        kwargs=_pk(_scheda),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST DELETE": API_NO_METHOD,
            "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
            "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
        },
    ),
    "progettopremiale-list": Entry(
        expect={
            "GET": "401 200 200 200 200 200",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        }
    ),
    "progettopremiale-detail": Entry(
        kwargs=_pk(_progetto_premiale),
        expect={
            "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
}
MATRIX.update(NEW_ENTRIES)


# --- servizi ----------------------------------------------------------------------------


_NUMERO_SERVIZIO = itertools.count(1)


def _servizio(d, scope, tipo="servizio"):
    from servizi.models import AreaIntervento, Servizio

    # Unique names: one test may build the objects of several URLs.
    return Servizio.objects.create(
        ambito=d.ambito[scope],
        nome=f"Servizio di prova {next(_NUMERO_SERVIZIO)} {scope} {tipo}",
        tipo=tipo,
        area=AreaIntervento.objects.order_by("ordine").first(),
    )


def _misura(d, scope):
    return _servizio(d, scope, tipo="misura")


def _dato(d, scope):
    from servizi.models import DatoAnnuale, Grandezza

    grandezza = Grandezza.objects.create(servizio=_servizio(d, scope), codice="prova", nome="Prova")
    return DatoAnnuale.objects.create(grandezza=grandezza, anno=2024, valore=1)


def _avviso(d, scope):
    from servizi.models import Avviso

    return Avviso.objects.create(servizio=_misura(d, scope), numero=1, titolo="Avviso di prova")


def _unita(d, scope):
    from servizi.models import TipoUnitaOfferta, UnitaOfferta

    tipo = TipoUnitaOfferta.objects.get(codice="asilo-nido")
    return UnitaOfferta.objects.create(
        ambito=d.ambito[scope],
        area=tipo.area,
        tipo=tipo,
        nome="Nido di prova",
        comune=d.comune[scope],
    )


def _area(d, scope):
    from servizi.models import AreaIntervento

    return AreaIntervento.objects.order_by("ordine").first()


def _tipo_unita(d, scope):
    from servizi.models import TipoUnitaOfferta

    return TipoUnitaOfferta.objects.order_by("ordine").first()


def _tabella(d, scope):
    from servizi.models import Tabella

    tabella, _ = Tabella.objects.get_or_create(
        ambito=d.ambito[scope], codice="Tab. M", defaults={"titolo": "Tabella di prova"}
    )
    return tabella


PAGINA_LETTURA = {"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
PAGINA_CREA = {
    "GET POST PUT": "302 403 403 200 200 403",
    "PATCH DELETE": "302 403 403 405 405 403",
}
PAGINA_MODIFICA = {
    "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
    "PATCH DELETE": NO_WRITE_PAGE,
}
# A service's child forms check the service first (403/404), then the method.
PAGINA_FIGLIA = {
    "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
    "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
}
API_LETTURA = {"GET": "401 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
API_DETTAGLIO_LETTURA = {
    "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
    "POST PUT PATCH DELETE": API_NO_METHOD,
}

MATRIX.update(
    {
        "servizi:index": Entry(expect=PAGINA_LETTURA),
        "servizi:servizio_create": Entry(expect=PAGINA_CREA),
        "servizi:servizio_detail": Entry(
            kwargs=_pk(_servizio),
            expect={
                "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
                "POST PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
        "servizi:servizio_update": Entry(kwargs=_pk(_servizio), expect=PAGINA_MODIFICA),
        "servizi:dato_create": Entry(
            kwargs=lambda d, s: {"servizio_pk": _servizio(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "servizi:dato_update": Entry(kwargs=_pk(_dato), expect=PAGINA_FIGLIA),
        "servizi:avviso_create": Entry(
            kwargs=lambda d, s: {"servizio_pk": _misura(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "servizi:avviso_update": Entry(kwargs=_pk(_avviso), expect=PAGINA_FIGLIA),
        "servizi:unita_list": Entry(expect=PAGINA_LETTURA),
        "servizi:unita_riepilogo": Entry(expect=PAGINA_LETTURA),
        "servizi:verifica": Entry(expect=PAGINA_LETTURA),
        "servizi:tabella_list": Entry(expect=PAGINA_LETTURA),
        "servizi:capitolo_contesto": Entry(expect=PAGINA_LETTURA),
        # The chapter's PDF, of the user's own Ambito (whoever reads it may print it).
        "servizi:capitolo_contesto_pdf": Entry(
            expect={
                "GET PUT PATCH DELETE": NO_WRITE_PAGE,
                "POST": "302 200 200 200 200 200",
            }
        ),
        "servizi:tabella_create": Entry(expect=PAGINA_CREA),
        "servizi:tabella_detail": Entry(
            kwargs=_pk(_tabella),
            expect={
                "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
                "POST PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
        "servizi:tabella_importa": Entry(
            kwargs=_pk(_tabella),
            expect={
                "GET POST PUT": "302 403 403 200 404 403 | 302 404 404 404 200 404",
                "PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
            },
        ),
        "servizi:unita_create": Entry(expect=PAGINA_CREA),
        "servizi:unita_update": Entry(kwargs=_pk(_unita), expect=PAGINA_MODIFICA),
        "areaintervento-list": Entry(expect=API_LETTURA),
        "areaintervento-detail": Entry(kwargs=_pk(_area), expect=API_LETTURA),
        "tipounitaofferta-list": Entry(expect=API_LETTURA),
        "tipounitaofferta-detail": Entry(kwargs=_pk(_tipo_unita), expect=API_LETTURA),
        "servizio-list": Entry(expect=API_LETTURA),
        "servizio-detail": Entry(kwargs=_pk(_servizio), expect=API_DETTAGLIO_LETTURA),
        "datoannuale-list": Entry(expect=API_LETTURA),
        "datoannuale-detail": Entry(kwargs=_pk(_dato), expect=API_DETTAGLIO_LETTURA),
        "avviso-list": Entry(expect=API_LETTURA),
        "avviso-detail": Entry(kwargs=_pk(_avviso), expect=API_DETTAGLIO_LETTURA),
        "unitaofferta-list": Entry(
            expect={
                "GET": "401 200 200 200 200 200",
                "POST": "401 403 403 400 400 403",
                "PUT PATCH DELETE": API_NO_METHOD,
            }
        ),
        "unitaofferta-detail": Entry(
            kwargs=_pk(_unita),
            expect={
                "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
                "POST DELETE": API_NO_METHOD,
                "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
                "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
            },
        ),
        "servizi-unita-riepilogo": Entry(expect=API_LETTURA),
        "servizi-posti": Entry(expect=API_LETTURA),
    }
)


# --- Self-service Piano and periods (issue 29, part B) ---------------------------------

# A confirmation page (GET) whose POST deletes or acts: only the Ufficio di Piano of the
# row's Ambito; other methods have no handler (405 before the row is looked at).
PAGINA_CONFERMA = {
    "GET": "302 403 403 200 404 403 | 302 404 404 404 200 404",
    "POST": "302 403 403 302 404 403 | 302 404 404 404 302 404",
    "PUT PATCH DELETE": NO_WRITE_PAGE,
}
# A form about a row checked in dispatch (403/404 first, then the method).
PAGINA_FORM_DI_RIGA = PAGINA_FIGLIA


def _piano_pk(d, scope):
    return {"piano_pk": _piano(d, scope).pk}


# --- Personal API tokens (/profilo/token/): each user his own, another's is 404 ------------


def _token(d, scope):
    """A token of the Operatore of Comune A (in) or of the other Ambito's UdP (out)."""
    from ambito.services import token_create

    utente = d.users["op_a" if scope == "in" else "udp_x"]
    return token_create(utente=utente, nome=f"Matrice {scope}", giorni_validita=30)[0]


MATRIX.update(
    {
        "primi-passi": Entry(expect=PAGINA_LETTURA),
        "programmi:piano_primo": Entry(expect=PAGINA_CREA),
        "programmi:piano_copia": Entry(kwargs=_pk(_piano), expect=PAGINA_FORM_DI_RIGA),
        "programmi:piano_attiva": Entry(
            kwargs=_pk(_piano),
            expect={
                "GET": "302 403 403 200 404 403 | 302 404 404 404 200 404",
                # In scope the draft (year 1900) is older than the Visconteo Piano in
                # force: refused on the page (200, with the reason); Lodi has none: 302.
                "POST": "302 403 403 200 404 403 | 302 404 404 404 302 404",
                "PUT PATCH DELETE": "302 403 403 405 404 403 | 302 404 404 404 405 404",
            },
        ),
        "programmi:macroarea_delete": Entry(kwargs=_pk(_macroarea), expect=PAGINA_CONFERMA),
        "programmi:obiettivo_delete": Entry(kwargs=_pk(_obiettivo), expect=PAGINA_CONFERMA),
        "programmi:scheda_delete": Entry(kwargs=_pk(_scheda), expect=PAGINA_CONFERMA),
        "indicatori:indicatore_create": Entry(kwargs=_piano_pk, expect=PAGINA_FORM_DI_RIGA),
        "indicatori:indicatore_update": Entry(kwargs=_pk(_indicatore), expect=PAGINA_FORM_DI_RIGA),
        "indicatori:indicatore_delete": Entry(kwargs=_pk(_indicatore), expect=PAGINA_CONFERMA),
        "indicatori:periodo_list": Entry(expect=PAGINA_LETTURA),
        "indicatori:periodo_calendario": Entry(expect=PAGINA_CREA),
        "indicatori:periodo_update": Entry(kwargs=_pk(_periodo), expect=PAGINA_MODIFICA),
        "indicatori:periodo_delete": Entry(kwargs=_pk(_periodo), expect=PAGINA_CONFERMA),
        "token:tokenapi_list": Entry(expect=PAGINA_LETTURA),
        "token:tokenapi_create": Entry(
            expect={
                "GET POST PUT": "302 200 200 200 200 200",  # an empty form re-renders
                "PATCH DELETE": NO_WRITE_PAGE,
            }
        ),
        "token:tokenapi_rotate": Entry(
            kwargs=_pk(_token),
            expect={
                "GET POST": "302 200 404 404 404 404 | 302 404 404 404 200 404",
                "PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
        "token:tokenapi_revoke": Entry(
            kwargs=_pk(_token),
            expect={
                "GET": "302 200 404 404 404 404 | 302 404 404 404 200 404",
                "POST": "302 302 404 404 404 404 | 302 404 404 404 302 404",
                "PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
    }
)


# --- PNRR reporting (ReGiS): milestone and target, spending records, domande ------------


def _obiettivo_regis(d, scope):
    import datetime

    from fondi.models import ObiettivoProgetto

    return ObiettivoProgetto.objects.create(
        progetto=_progetto(d, scope),
        descrizione="Persone accolte",
        unita_misura="persone",
        valore_obiettivo=10,
        scadenza=datetime.date(2027, 12, 31),
    )


def _valore_obiettivo(d, scope):
    import datetime

    from fondi.models import AvanzamentoObiettivo

    return AvanzamentoObiettivo.objects.create(
        obiettivo=_obiettivo_regis(d, scope), periodo=datetime.date(2025, 4, 30), valore_raggiunto=3
    )


def _rendicontazione(d, scope):
    import datetime

    from fondi import rendicontazione
    from fondi.models import Rendicontazione

    return rendicontazione.rendicontazione_create(
        rendicontazione=Rendicontazione(
            progetto=_progetto(d, scope), periodo=datetime.date(2025, 4, 30)
        )
    )


def _dati_giustificativo(finanziamento):
    return {
        "progetto": finanziamento.progetto_id,
        "finanziamento": finanziamento.pk,
        "tipo_documento": "fattura",
        "numero_documento": "1",
        "data_documento": "2025-03-15",
        "fornitore": "Fornitore",
        "imponibile": "10.00",
        "iva": "2.20",
    }


def _giustificativo(d, scope):
    from fondi import rendicontazione
    from fondi.models import Giustificativo

    finanziamento = _finanziamento(d, scope)
    dati = _dati_giustificativo(finanziamento)
    del dati["progetto"], dati["finanziamento"]
    return rendicontazione.giustificativo_save(
        giustificativo=Giustificativo(
            progetto=finanziamento.progetto, finanziamento=finanziamento, **dati
        )
    )


API_SCRIVE_FIGLIO = "401 403 403 201 400 403 | 401 400 400 400 201 400"
API_DETTAGLIO_FIGLIO = {
    "GET": "401 200 200 200 404 200 | 401 404 404 404 200 404",
    "POST DELETE": API_NO_METHOD,
    "PUT": "401 403 403 400 404 403 | 401 404 404 404 400 404",
    "PATCH": "401 403 403 200 404 403 | 401 404 404 404 200 404",
}
API_AZIONE = {
    "GET PUT PATCH DELETE": API_NO_METHOD,
    "POST": "401 403 403 400 404 403 | 401 404 404 404 400 404",
}

MATRIX.update(
    {
        "fondi:regis": Entry(
            kwargs=_pk(_progetto),
            expect={
                "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
                "POST PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
        "fondi:obiettivo_create": Entry(
            kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "fondi:obiettivo_update": Entry(kwargs=_pk(_obiettivo_regis), expect=PAGINA_MODIFICA),
        "fondi:avanzamento_obiettivo_create": Entry(
            kwargs=lambda d, s: {"obiettivo_pk": _obiettivo_regis(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "fondi:avanzamento_obiettivo_update": Entry(
            kwargs=_pk(_valore_obiettivo), expect=PAGINA_MODIFICA
        ),
        "fondi:giustificativo_create": Entry(
            kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "fondi:giustificativo_update": Entry(kwargs=_pk(_giustificativo), expect=PAGINA_MODIFICA),
        "fondi:rendicontazione_create": Entry(
            kwargs=lambda d, s: {"progetto_pk": _progetto(d, s).pk}, expect=PAGINA_FIGLIA
        ),
        "fondi:rendicontazione_detail": Entry(
            kwargs=_pk(_rendicontazione),
            expect={
                "GET": "302 200 200 200 404 200 | 302 404 404 404 200 404",
                # A change of state without one: the page again, with the message.
                "POST": "302 403 403 200 404 403 | 302 404 404 404 200 404",
                "PUT PATCH DELETE": NO_WRITE_PAGE,
            },
        ),
        "fondi:rendicontazione_update": Entry(kwargs=_pk(_rendicontazione), expect=PAGINA_MODIFICA),
        "obiettivoprogetto-list": Entry(
            body=lambda d, s, m: {
                "progetto": _progetto(d, s).pk,
                "descrizione": "Persone accolte",
                "unita_misura": "persone",
                "valore_obiettivo": "10",
                "scadenza": "2027-12-31",
            },
            expect={
                "GET": "401 200 200 200 200 200",
                "POST": API_SCRIVE_FIGLIO,
                "PUT PATCH DELETE": API_NO_METHOD,
            },
        ),
        "obiettivoprogetto-detail": Entry(
            kwargs=_pk(_obiettivo_regis), expect=API_DETTAGLIO_FIGLIO
        ),
        "avanzamentoobiettivo-list": Entry(
            body=lambda d, s, m: {
                "obiettivo": _obiettivo_regis(d, s).pk,
                "periodo": "2025-08-31",
                "valore_raggiunto": "4",
            },
            expect={
                "GET": "401 200 200 200 200 200",
                "POST": API_SCRIVE_FIGLIO,
                "PUT PATCH DELETE": API_NO_METHOD,
            },
        ),
        "avanzamentoobiettivo-detail": Entry(
            kwargs=_pk(_valore_obiettivo), expect=API_DETTAGLIO_FIGLIO
        ),
        "giustificativo-list": Entry(
            body=lambda d, s, m: _dati_giustificativo(_finanziamento(d, s)),
            expect={
                "GET": "401 200 200 200 200 200",
                "POST": API_SCRIVE_FIGLIO,
                "PUT PATCH DELETE": API_NO_METHOD,
            },
        ),
        "giustificativo-detail": Entry(
            kwargs=_pk(_giustificativo),
            expect={
                "GET": API_DETTAGLIO_FIGLIO["GET"],
                "PUT": API_DETTAGLIO_FIGLIO["PUT"],
                "PATCH": API_DETTAGLIO_FIGLIO["PATCH"],
                "POST": API_NO_METHOD,
                # A record not yet in a domanda sent: the lead's Ufficio di Piano deletes it.
                "DELETE": "401 403 403 204 404 403 | 401 404 404 404 204 404",
            },
        ),
        "rendicontazione-list": Entry(
            body=lambda d, s, m: {"progetto": _progetto(d, s).pk, "periodo": "2025-04-30"},
            expect={
                "GET": "401 200 200 200 200 200",
                "POST": API_SCRIVE_FIGLIO,
                "PUT PATCH DELETE": API_NO_METHOD,
            },
        ),
        "rendicontazione-detail": Entry(kwargs=_pk(_rendicontazione), expect=API_DETTAGLIO_FIGLIO),
        "rendicontazione-cambia-stato": Entry(kwargs=_pk(_rendicontazione), expect=API_AZIONE),
        "rendicontazione-attesta-controllo": Entry(kwargs=_pk(_rendicontazione), expect=API_AZIONE),
        "rendicontazione-revoca-controllo": Entry(kwargs=_pk(_rendicontazione), expect=API_AZIONE),
    }
)
