"""Django admin: every model, with history. Values are saved through the service, and
period states change only on the pages (closing and reopening need a reason)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ambito.platform.forms import ValidatorsFormMixin

from . import services, validators
from .models import (
    Categoria,
    EventoPeriodo,
    Indicatore,
    IndicatoreContesto,
    Periodo,
    Valore,
    ValoreContesto,
)


class CategoriaInline(admin.TabularInline):
    model = Categoria
    extra = 0


class IndicatoreAdminForm(ValidatorsFormMixin, forms.ModelForm):
    """The rules of `indicatore_save`, shown next to the fields."""

    validators = validators.INDICATORE


@admin.register(Indicatore)
class IndicatoreAdmin(SimpleHistoryAdmin):
    form = IndicatoreAdminForm
    list_display = ["codice", "nome", "tipo", "unita", "valore_atteso", "livello", "periodicita"]
    list_filter = ["piano", "scheda", "area", "tipo", "unita", "livello"]
    search_fields = ["codice", "nome"]
    list_select_related = ["piano"]
    raw_id_fields = ["numeratore", "denominatore"]
    inlines = [CategoriaInline]

    def save_model(self, request, obj, form, change):
        services.indicatore_save(indicatore=obj)


@admin.register(Categoria)
class CategoriaAdmin(SimpleHistoryAdmin):
    list_display = ["indicatore", "codice", "nome", "ordine"]
    list_select_related = ["indicatore"]
    search_fields = ["nome", "indicatore__codice"]


class EventoPeriodoInline(admin.TabularInline):
    model = EventoPeriodo
    extra = 0
    can_delete = False
    readonly_fields = ["azione", "motivo", "utente", "quando"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Periodo)
class PeriodoAdmin(SimpleHistoryAdmin):
    list_display = [
        "nome",
        "ambito",
        "data_inizio",
        "data_fine",
        "scadenza",
        "stato",
        "dimostrativo",
    ]
    list_filter = ["ambito", "stato", "tipo", "dimostrativo"]
    readonly_fields = ["stato"]
    inlines = [EventoPeriodoInline]


@admin.register(EventoPeriodo)
class EventoPeriodoAdmin(SimpleHistoryAdmin):
    list_display = ["periodo", "azione", "utente", "quando"]
    list_filter = ["azione"]
    list_select_related = ["periodo", "utente"]
    readonly_fields = ["periodo", "azione", "motivo", "utente", "quando"]

    def has_add_permission(self, request):
        return False


class ValoreAdminForm(forms.ModelForm):
    """The service checks the value (all the grid's rules) instead of the model form."""

    conferma_anomalia = forms.BooleanField(
        label=_("Confermo il valore anche se lontano dallo storico"), required=False
    )
    versione_letta = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Valore
        fields = Valore.CAMPI_RILEVAZIONE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versione_letta"].initial = self.instance.versione if self.instance.pk else 0

    def cella(self, instance):
        return services.Cella(
            indicatore=instance.indicatore,
            categoria=instance.categoria,
            valore_numerico=instance.valore_numerico,
            valore_testo=instance.valore_testo,
            commento=instance.commento,
            versione=self.cleaned_data.get("versione_letta") or 0,
        )

    def _post_clean(self):
        instance = construct_instance(self, self.instance, self._meta.fields)
        if self.errors or not instance.indicatore_id or not instance.periodo_id:
            return
        try:
            services.valori_validate(
                user=self.request_user,
                periodo=instance.periodo,
                comune=instance.comune,
                celle=[self.cella(instance)],
                conferma_anomalie=self.cleaned_data.get("conferma_anomalia", False),
            )
        except services.ErroriValori as error:
            for errore in error.errori:
                campo = errore.campo if errore.campo in self.fields else None
                if errore.anomalia:
                    campo = "conferma_anomalia"
                self.add_error(campo, errore.messaggio)
        except PermissionDenied as error:
            self.add_error(None, str(error))


@admin.register(Valore)
class ValoreAdmin(SimpleHistoryAdmin):
    form = ValoreAdminForm
    list_display = ["indicatore", "periodo", "comune", "categoria", "valore_numerico", "stato"]
    list_filter = ["periodo", "stato", "dimostrativo", "indicatore__scheda"]
    search_fields = ["indicatore__codice", "indicatore__nome", "comune__nome"]
    list_select_related = ["indicatore", "periodo", "comune", "categoria"]
    raw_id_fields = ["indicatore"]
    readonly_fields = [
        "stato",
        "motivo_respingimento",
        "anomalia_confermata",
        "versione",
        "inserito_da",
        "aggiornato_il",
        "inviato_il",
        "approvato_da",
        "approvato_il",
        "dimostrativo",
    ]

    def get_readonly_fields(self, request, obj=None):
        fissi = ["indicatore", "periodo", "comune", "categoria"] if obj else []
        return [*fissi, *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        salvato = services.valore_save(
            user=request.user,
            periodo=obj.periodo,
            comune=obj.comune,
            indicatore=obj.indicatore,
            categoria=obj.categoria,
            valore_numerico=obj.valore_numerico,
            valore_testo=obj.valore_testo,
            commento=obj.commento,
            versione=form.cleaned_data.get("versione_letta") or 0,
            conferma_anomalia=form.cleaned_data.get("conferma_anomalia", False),
        )
        obj.pk = salvato.pk


@admin.register(IndicatoreContesto)
class IndicatoreContestoAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "tabella", "fonte", "data_riferimento", "ambito"]
    list_filter = ["ambito", "fonte"]


@admin.register(ValoreContesto)
class ValoreContestoAdmin(SimpleHistoryAdmin):
    list_display = ["indicatore", "comune", "data_inizio", "data_fine", "valore"]
    list_filter = ["indicatore"]
    list_select_related = ["indicatore", "comune"]
