"""The permission matrix: the expected answer of every URL, per role, method and scope.

`test_permission_matrix.py` walks the whole URL configuration and, for every URL,
sends every method as each of six users, for an object in scope and one out of
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
  Ufficio di Piano of another Ambito (Lodi); Revisore of the Ambito.
- `kwargs(d, scope)` builds the URL's arguments. scope "in" is an object of the
  Ambito, in Comune A when the object belongs to a Comune; scope "out" is an object
  of the other Ambito. `d` (MatrixData) holds the Ambiti, Comuni and users; build
  your own objects in the lambda with factories (they live for one test).
- `expect`: one key per method or several methods separated by spaces; all of GET,
  POST, PUT, PATCH and DELETE must be covered. One group of six codes applies to both
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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anon", "op_a", "op_b", "udp", "udp_x", "rev")
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
            if len(groups) not in (1, 2) or any(len(g) != len(ROLES) for g in groups):
                raise ValueError(f"{codes!r}: expected 6 codes, or '6 codes | 6 codes'")
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
    """What entries build their URLs from: two Ambiti, their Comuni and the six users."""

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


# --- The matrix -------------------------------------------------------------------------

NO_WRITE_PAGE = "302 405 405 405 405 405"  # a read-only page: anonymous to login, others 405
API_NO_METHOD = "403 405 405 405 405 405"  # a method the API does not offer
ALL_405 = "405 405 405 405 405 405"

# Roles in every group of six codes:  anon  op_a  op_b  udp  udp_x  rev
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
    # ---- territory pages (ambito) ---------------------------------------------------
    "ambito:comune_list": Entry(
        expect={"GET": "302 200 200 200 200 200", "POST PUT PATCH DELETE": NO_WRITE_PAGE}
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
        expect={
            "GET": "302 403 403 200 200 200",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405",
        }
    ),
    "registro:oggetto": Entry(
        kwargs=lambda d, s: {"modello": "ambito.comune", "pk": d.comune[s].pk},
        expect={
            "GET": "302 403 403 200 404 200 | 302 403 403 404 200 404",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405",
        },
    ),
    "registro:utente": Entry(
        # in: the Operatore of Comune A (a member of the Ambito); out: the other UdP.
        kwargs=lambda d, s: {"pk": d.users["op_a" if s == "in" else "udp_x"].pk},
        expect={
            "GET": "302 403 403 200 404 200 | 302 403 403 404 200 404",
            "POST PUT PATCH DELETE": "302 403 403 405 405 405",
        },
    ),
    # ---- API (/api/v1/) ---------------------------------------------------------------
    "ambito-list": Entry(
        expect={"GET": "403 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "ambito-detail": Entry(
        kwargs=lambda d, s: {"pk": d.ambito[s].pk},
        expect={
            "GET": "403 200 200 200 404 200 | 403 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "comune-list": Entry(
        expect={"GET": "403 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "comune-detail": Entry(
        kwargs=lambda d, s: {"pk": d.comune[s].pk},
        expect={
            "GET": "403 200 404 200 404 200 | 403 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "datidemografici-list": Entry(
        expect={"GET": "403 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "datidemografici-detail": Entry(
        kwargs=lambda d, s: {"pk": _dati_demografici(d, s).pk},
        expect={
            "GET": "403 200 404 200 404 200 | 403 404 404 404 200 404",
            "POST PUT PATCH DELETE": API_NO_METHOD,
        },
    ),
    "ente-list": Entry(
        expect={"GET": "403 200 200 200 200 200", "POST PUT PATCH DELETE": API_NO_METHOD}
    ),
    "ente-detail": Entry(
        # Enti belong to the Ambito, not to a Comune: both operators read them.
        kwargs=lambda d, s: {"pk": _ente(d, s).pk},
        expect={
            "GET": "403 200 200 200 404 200 | 403 404 404 404 200 404",
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
    # the superuser (ambito.audit.admin_storico_in_sola_lettura).
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
