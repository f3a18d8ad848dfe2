"""Django admin of the fondi app. Saves go through the services, so the admin obeys
the same rules (and shows the same messages) as the pages and the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from ambito.platform.services import run_validators

from . import models, services


@admin.register(models.FonteFinanziamento)
class FonteFinanziamentoAdmin(SimpleHistoryAdmin):
    list_display = ["codice", "nome", "livello", "ordine"]
    list_filter = ["livello"]
    search_fields = ["codice", "nome"]


@admin.register(models.LineaFinanziamento)
class LineaFinanziamentoAdmin(SimpleHistoryAdmin):
    list_display = ["codice", "nome", "fonte", "parent"]
    list_filter = ["fonte"]
    search_fields = ["codice", "nome"]
    list_select_related = ["fonte", "parent"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        services.linea_save(linea=obj)


@admin.register(models.Assegnazione)
class AssegnazioneAdmin(SimpleHistoryAdmin):
    list_display = ["linea", "anno", "importo", "ambito"]
    list_filter = ["anno", "linea__fonte__livello", "linea__fonte", "ambito"]
    search_fields = ["linea__codice", "linea__nome", "interventi"]
    list_select_related = ["linea", "ambito"]

    def save_model(self, request, obj, form, change):
        services.assegnazione_save(assegnazione=obj)


@admin.register(models.TotaleRiportato)
class TotaleRiportatoAdmin(SimpleHistoryAdmin):
    list_display = ["ambito", "anno", "importo", "documento"]
    list_filter = ["ambito", "anno"]


class FinanziamentoInline(admin.TabularInline):
    model = models.FinanziamentoProgetto
    extra = 0


class ProgettoAdminForm(forms.ModelForm):
    """The rules of the project services (state machine, partners, Comuni, soggetto
    attuatore), shown next to the fields; the admin builds the fields from the model."""

    def _post_clean(self):
        super()._post_clean()
        regole = services.progetto_validators(
            ambiti_partner=self.cleaned_data.get("ambiti_partner") or [],
            comuni=self.cleaned_data.get("comuni") or [],
            stato_precedente=self.initial.get("stato") if self.instance.pk else None,
        )
        try:
            run_validators(self.instance, regole)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


@admin.register(models.Progetto)
class ProgettoAdmin(SimpleHistoryAdmin):
    form = ProgettoAdminForm
    list_display = ["titolo", "cup", "linea", "ambito", "stato", "data_fine"]
    list_filter = ["stato", "linea__fonte", "ambito"]
    search_fields = ["titolo", "cup", "codice_locale"]
    list_select_related = ["linea", "ambito"]
    filter_horizontal = ["ambiti_partner", "comuni"]
    inlines = [FinanziamentoInline]

    def save_model(self, request, obj, form, change):
        relazioni = {
            "ambiti_partner": form.cleaned_data.get("ambiti_partner", []),
            "comuni": form.cleaned_data.get("comuni", []),
        }
        if change:
            services.progetto_update(progetto=obj, **relazioni)
        else:
            services.progetto_create(progetto=obj, **relazioni)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            services.finanziamento_save(finanziamento=obj)
        formset.save_m2m()


@admin.register(models.FinanziamentoProgetto)
class FinanziamentoProgettoAdmin(SimpleHistoryAdmin):
    list_display = ["progetto", "linea", "importo"]
    list_filter = ["linea__fonte"]
    search_fields = ["progetto__titolo", "progetto__cup"]
    list_select_related = ["progetto", "linea"]

    def save_model(self, request, obj, form, change):
        services.finanziamento_save(finanziamento=obj)


@admin.register(models.AvanzamentoFinanziario)
class AvanzamentoFinanziarioAdmin(SimpleHistoryAdmin):
    list_display = ["progetto", "data", "programmato", "ammesso", "vincolante", "erogato"]
    list_filter = ["progetto__ambito"]
    search_fields = ["progetto__titolo", "progetto__cup"]
    list_select_related = ["progetto"]
    date_hierarchy = "data"

    def save_model(self, request, obj, form, change):
        services.avanzamento_save(avanzamento=obj)
