"""Reads of the read-heavy pages from a PostgreSQL read replica (`DATABASE_REPLICA_URL`).

Only the views that declare `usa_replica = True` (dashboards, the regional views, the
reports read by GET) read from the replica, and only:
- for GET and HEAD, after the middleware chain has loaded the session and the user
  from the primary;
- until the request writes anything: from its first INSERT, UPDATE or DELETE on (seen
  by an execute wrapper on the primary's connection), every read of the same request
  goes to the primary;
- when the browser has not written in the last `REPLICA_PRIMARIO_SECONDI` seconds (a
  cookie set by the request that wrote), so that who has just approved a value sees it
  at once even if the replica lags behind.
Writes always go to the primary, and the replica is never migrated (it copies the
primary). Without `DATABASE_REPLICA_URL` there is no "replica" alias and nothing changes.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
COOKIE_PRIMARIO = "zonale_primario"

_sola_lettura = ContextVar("zonale_sola_lettura", default=False)
_scritto = ContextVar("zonale_scritto", default=False)


def replica_configurata() -> bool:
    return REPLICA in connections.settings


SCRITTURE = ("INSERT", "UPDATE", "DELETE", "COPY", "MERGE")


def _osserva_scritture(execute, sql, params, many, context):
    if sql.lstrip()[:6].upper().startswith(SCRITTURE):
        _scritto.set(True)
    return execute(sql, params, many, context)


@contextmanager
def lettura_da_replica():
    """Route this block's reads to the replica (until it writes)."""
    token_lettura = _sola_lettura.set(True)
    token_scritto = _scritto.set(False)
    try:
        with connections["default"].execute_wrapper(_osserva_scritture):
            yield
    finally:
        _sola_lettura.reset(token_lettura)
        _scritto.reset(token_scritto)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _sola_lettura.get() and not _scritto.get() and replica_configurata():
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def _vista_su_replica(view_func) -> bool:
    classe = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return bool(getattr(classe, "usa_replica", False))


class ReplicaMiddleware:
    """Marks the read-only requests of the views that use the replica (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Both flags live for this request only, whether or not there is a replica.
        token_lettura = _sola_lettura.set(False)
        token_scritto = _scritto.set(False)
        try:
            if not replica_configurata():
                return self.get_response(request)
            with connections["default"].execute_wrapper(_osserva_scritture):
                response = self.get_response(request)
            if _scritto.get():
                response.set_cookie(
                    COOKIE_PRIMARIO,
                    "1",
                    max_age=settings.REPLICA_PRIMARIO_SECONDI,
                    secure=request.is_secure(),
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _sola_lettura.reset(token_lettura)
            _scritto.reset(token_scritto)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or not _vista_su_replica(view_func)
            or not replica_configurata()
        ):
            return None
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - the session and the user, from the primary
        if COOKIE_PRIMARIO not in request.COOKIES:
            _sola_lettura.set(True)
        return None
