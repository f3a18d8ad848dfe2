"""Django admin of the servizi app. Saves go through the services, so the admin obeys
the same rules (and shows the same messages) as the pages and the API."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models, services


@admin.register(models.AreaIntervento)
class AreaInterventoAdmin(admin.ModelAdmin):
    list_display = ["nome", "codice", "ordine"]


@admin.register(models.TipoUnitaOfferta)
class TipoUnitaOffertaAdmin(admin.ModelAdmin):
    list_display = ["nome", "sigla", "area", "natura", "ordine"]
    list_filter = ["natura", "area"]


class GrandezzaInline(admin.TabularInline):
    model = models.Grandezza
    extra = 0


@admin.register(models.Servizio)
class ServizioAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "tipo", "area", "stato", "leps", "ambito"]
    list_filter = ["tipo", "area", "stato", "leps", "ambito"]
    search_fields = ["nome", "descrizione"]
    filter_horizontal = ["comuni", "linee"]
    inlines = [GrandezzaInline]

    def save_model(self, request, obj, form, change):
        services.servizio_save(
            servizio=obj, comuni=form.cleaned_data["comuni"], linee=form.cleaned_data["linee"]
        )


class TotaleStampatoInline(admin.TabularInline):
    model = models.TotaleStampato
    extra = 0


@admin.register(models.Grandezza)
class GrandezzaAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "codice", "servizio", "unita"]
    list_filter = ["unita", "servizio__area"]
    search_fields = ["nome", "servizio__nome"]
    inlines = [TotaleStampatoInline]


@admin.register(models.DatoAnnuale)
class DatoAnnualeAdmin(SimpleHistoryAdmin):
    list_display = ["grandezza", "anno", "comune", "categoria", "valore"]
    list_filter = ["anno", "grandezza__servizio"]
    list_select_related = ["grandezza__servizio", "comune"]

    def save_model(self, request, obj, form, change):
        services.dato_annuale_save(dato=obj)


class QuotaAvvisoInline(admin.TabularInline):
    model = models.QuotaAvviso
    extra = 0


@admin.register(models.Avviso)
class AvvisoAdmin(SimpleHistoryAdmin):
    list_display = ["titolo", "servizio", "numero", "data_apertura", "data_chiusura"]
    list_filter = ["servizio"]
    inlines = [QuotaAvvisoInline]


@admin.register(models.UnitaOfferta)
class UnitaOffertaAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "tipo", "area", "comune", "posti", "gestione", "ambito"]
    list_filter = ["area", "tipo__natura", "gestione", "ambito", "tipo"]
    search_fields = ["nome", "localita"]
    list_select_related = ["tipo", "comune", "ambito"]

    def save_model(self, request, obj, form, change):
        services.unita_save(unita=obj)


@admin.register(models.DatoStampatoUnita)
class DatoStampatoUnitaAdmin(admin.ModelAdmin):
    list_display = ["misura", "natura", "area", "tipo", "comune", "valore"]
    list_filter = ["misura", "area"]
