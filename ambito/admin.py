from django.contrib import admin
from django_celery_beat.models import PeriodicTask
from simple_history.admin import SimpleHistoryAdmin

from .models import Ambito, Comune, DatiDemografici, Ente, Incarico, ReportGenerato, TokenAPI


@admin.register(Ambito)
class AmbitoAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "codice", "regione", "ente_capofila"]
    search_fields = ["nome", "codice"]


@admin.register(Comune)
class ComuneAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "codice_istat", "sigla_provincia", "ambito"]
    list_filter = ["ambito"]
    search_fields = ["nome", "codice_istat"]
    list_select_related = ["ambito"]


@admin.register(Ente)
class EnteAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "tipo", "codice_fiscale", "ambito"]
    list_filter = ["tipo", "ambito"]
    search_fields = ["nome", "codice_fiscale"]
    list_select_related = ["ambito"]


@admin.register(DatiDemografici)
class DatiDemograficiAdmin(SimpleHistoryAdmin):
    list_display = ["comune", "anno", "residenti", "famiglie", "stranieri"]
    list_filter = ["anno", "comune__ambito"]
    search_fields = ["comune__nome"]
    list_select_related = ["comune"]


@admin.register(Incarico)
class IncaricoAdmin(SimpleHistoryAdmin):
    list_display = ["user", "ruolo", "ambito", "comune"]
    list_filter = ["ruolo", "ambito"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user", "ambito", "comune"]


@admin.register(ReportGenerato)
class ReportGeneratoAdmin(admin.ModelAdmin):
    """The register is written only by report generation: read-only here."""

    list_display = ["titolo", "tipo", "ambito", "comune", "generato_da", "generato_il", "sha256"]
    list_filter = ["tipo", "ambito"]
    search_fields = ["titolo", "sha256", "sha256_dati"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TokenAPI)
class TokenAPIAdmin(SimpleHistoryAdmin):
    """Tokens are created by their users (the secret is shown only to them): here an
    administrator sees them and can revoke one (set "revocato il")."""

    list_display = [
        "nome",
        "utente",
        "prefisso",
        "creato_il",
        "scade_il",
        "ultimo_uso",
        "revocato_il",
    ]
    list_filter = ["revocato_il"]
    search_fields = ["nome", "prefisso", "utente__username"]
    list_select_related = ["utente"]
    readonly_fields = [
        "utente",
        "nome",
        "prefisso",
        "giorni_validita",
        "creato_il",
        "scade_il",
        "ultimo_uso",
    ]
    exclude = ["chiave_hash"]

    def has_add_permission(self, request):
        return False


# django-celery-beat's task form carries an inline script, which our Content-Security-
# Policy forbids: the periodic tasks (created by a migration) are changed through their
# schedules ("Crontabs"), whose pages need no script.
admin.site.unregister(PeriodicTask)
