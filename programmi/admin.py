from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ambito.platform.forms import ValidatorsFormMixin

from . import models, services, validators


@admin.register(models.PianoDiZona)
class PianoDiZonaAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "ambito", "stato", "data_approvazione"]
    list_filter = ["stato", "ambito"]
    list_select_related = ["ambito"]


@admin.register(models.MacroArea)
class MacroAreaAdmin(SimpleHistoryAdmin):
    list_display = ["lettera", "nome", "piano"]
    list_filter = ["piano"]
    list_select_related = ["piano"]


class ObiettivoAdminForm(ValidatorsFormMixin, forms.ModelForm):
    """The rules of `obiettivo_save`, shown next to the fields."""

    validators = validators.OBIETTIVO


@admin.register(models.Obiettivo)
class ObiettivoAdmin(SimpleHistoryAdmin):
    form = ObiettivoAdminForm
    list_display = ["numero", "titolo", "piano", "macro_area", "parent"]
    list_filter = ["piano", "macro_area"]
    search_fields = ["numero", "titolo"]
    list_select_related = ["piano", "macro_area", "parent"]

    def save_model(self, request, obj, form, change):
        services.obiettivo_save(obiettivo=obj)


@admin.register(models.Valutazione)
class ValutazioneAdmin(SimpleHistoryAdmin):
    list_display = [
        "obiettivo",
        "grado_raggiungimento",
        "adeguatezza_risorse",
        "coincidenza_risorse",
        "riproposto",
    ]
    list_filter = ["obiettivo__piano", "coincidenza_risorse", "adeguatezza_risorse", "riproposto"]
    list_select_related = ["obiettivo"]


class AttivitaPremialeInline(admin.TabularInline):
    model = models.AttivitaPremiale
    extra = 0


@admin.register(models.ProgettoPremiale)
class ProgettoPremialeAdmin(SimpleHistoryAdmin):
    list_display = ["numero", "titolo", "piano"]
    list_filter = ["piano"]
    inlines = [AttivitaPremialeInline]


@admin.register(models.AttivitaPremiale)
class AttivitaPremialeAdmin(SimpleHistoryAdmin):
    list_display = ["progetto", "ordine", "attivita", "percentuale"]
    list_filter = ["progetto"]
    list_select_related = ["progetto"]


class VoceSchedaInline(admin.TabularInline):
    model = models.VoceScheda
    extra = 0
    ordering = ["tipo", "ordine"]


@admin.register(models.Scheda)
class SchedaAdmin(SimpleHistoryAdmin):
    list_display = ["numero", "titolo", "piano", "budget", "progetto"]
    list_filter = ["piano"]
    list_select_related = ["piano", "progetto"]
    filter_horizontal = ["servizi"]
    inlines = [VoceSchedaInline]


@admin.register(models.VoceScheda)
class VoceSchedaAdmin(SimpleHistoryAdmin):
    list_display = ["scheda", "tipo", "ordine", "testo"]
    list_filter = ["tipo", "scheda__piano"]
    list_select_related = ["scheda"]
