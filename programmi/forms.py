import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.forms import AmbitoChoiceField
from ambito.models import Ambito
from ambito.platform.forms import AnnoField, ScopedModelForm, StyledFormMixin

from .choices import ELENCHI, TipoVoce
from .models import MSG_GRADO, MacroArea, Obiettivo, PianoDiZona, Scheda, Valutazione

MSG_STESSO_PIANO_PARENT = _(
    "L'obiettivo generale deve appartenere allo stesso Piano di Zona dell'obiettivo specifico."
)
MSG_STESSO_PIANO_AREA = _("La macro-area deve appartenere allo stesso Piano di Zona.")
MSG_STESSO_PIANO_OBIETTIVO = _(
    "L'obiettivo deve appartenere allo stesso Piano di Zona della scheda."
)


class SiNoSelect(forms.NullBooleanSelect):
    """Sì / No / Non indicato (the Piano does not always answer)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Non indicato")), ("true", _("Sì")), ("false", _("No"))]


class ElencoField(forms.Field):
    """An ordered list edited as text, one item per line.

    Shows the saved items joined by line breaks and reads them back by splitting on
    line breaks (blank lines dropped, spaces trimmed), so what is saved is exactly what
    the form showed, in the same order.
    """

    widget = forms.Textarea

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Una voce per riga, nell'ordine in cui devono comparire."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("rows", 6)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, list | tuple):
            righe = value
        else:
            righe = str(value).splitlines()
        return [riga.strip() for riga in righe if riga.strip()]


class ImportoField(forms.DecimalField):
    """Euro typed the Italian way: '1.090.000,00', '€ 195000' or '357499,5'."""

    MIGLIAIA = re.compile(r"^-?\d{1,3}(\.\d{3})+$")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value

    def to_python(self, value):
        if isinstance(value, str):
            testo = value.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
            if "," in testo:
                testo = testo.replace(".", "").replace(",", ".")
            elif self.MIGLIAIA.match(testo):
                testo = testo.replace(".", "")
            value = testo
        return super().to_python(value)


class PianoDiZonaForm(ScopedModelForm):
    class Meta:
        model = PianoDiZona
        fields = [
            "ambito",
            "anno_inizio",
            "anno_fine",
            "stato",
            "data_approvazione",
            "atto_approvazione",
            "note",
            "condiviso",
        ]
        widgets = {
            "data_approvazione": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"atto_approvazione": _("Ad esempio: Accordo di Programma del 15/01/2025.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A plan does not move to another Ambito.
            del self.fields["ambito"]


class MacroAreaForm(ScopedModelForm):
    class Meta:
        model = MacroArea
        fields = ["lettera", "nome"]

    def __init__(self, *args, piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.piano = piano


class ObiettivoForm(ScopedModelForm):
    """General or specific objective of one plan: choices only from that plan."""

    class Meta:
        model = Obiettivo
        fields = ["numero", "titolo", "parent", "macro_area", "tema", "note"]
        widgets = {
            "titolo": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.piano = piano
        generali = self.fields["parent"].queryset.filter(piano=piano, parent__isnull=True)
        if self.instance.pk:
            generali = generali.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = generali.order_by("ordinamento")
        self.fields["parent"].error_messages["invalid_choice"] = MSG_STESSO_PIANO_PARENT
        self.fields["parent"].empty_label = _("Nessuno: è un obiettivo generale")
        self.fields["macro_area"].queryset = self.fields["macro_area"].queryset.filter(piano=piano)
        self.fields["macro_area"].error_messages["invalid_choice"] = MSG_STESSO_PIANO_AREA
        self.fields["macro_area"].help_text = _(
            "Per un obiettivo specifico si può lasciare vuota: vale quella del generale."
        )

    def _update_errors(self, errors):
        # A general objective refused by the choice list already has its message: the
        # model's "a specific objective needs a general one" would only repeat it.
        if "parent" in self._errors and hasattr(errors, "error_dict"):
            errors.error_dict.pop("parent", None)
        super()._update_errors(errors)


class ValutazioneForm(ScopedModelForm):
    class Meta:
        model = Valutazione
        fields = Valutazione.RISPOSTE
        widgets = {
            "grado_raggiungimento": forms.NumberInput(
                attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}
            ),
            **{campo: SiNoSelect for campo in Valutazione.SI_NO},
            **{campo: forms.Textarea(attrs={"rows": 3}) for campo in Valutazione.TESTI},
        }
        error_messages = {
            "grado_raggiungimento": {
                "min_value": MSG_GRADO,
                "max_value": MSG_GRADO,
                "invalid": _("Indicare un numero intero tra 0 e 100."),
            }
        }

    def __init__(self, *args, obiettivo, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.obiettivo = obiettivo
        for nome in ("adeguatezza_risorse", "coincidenza_risorse"):
            scelte = [c for c in self.fields[nome].choices if c[0] != ""]
            self.fields[nome].choices = [("", _("Non indicato")), *scelte]


class SchedaForm(ScopedModelForm):
    """The regional template of a scheda, with its lists edited one item per line."""

    # Fields grouped as the template's sections (rendered as fieldsets).
    SEZIONI = [
        (_("Intervento"), ["numero", "titolo", "sottotitolo", "obiettivo"]),
        (_("Obiettivi e azioni"), ["obiettivi", "azioni"]),
        (_("Destinatari e risorse"), ["destinatari", "budget", "note_risorse", "personale"]),
        (
            _("Integrazione e punti chiave"),
            ["integrata_altre_aree", "aree_policy", "punti_chiave"],
        ),
        (_("Collegamenti"), ["progetto", "servizi"]),
    ]

    budget = ImportoField(
        label=Scheda._meta.get_field("budget").verbose_name.capitalize(),
        required=False,
        help_text=_("In euro, ad esempio 195.000,00."),
        error_messages={"invalid": _("Indicare un importo in euro, ad esempio 195.000,00.")},
    )
    obiettivi = ElencoField(label=TipoVoce.OBIETTIVO.label)
    azioni = ElencoField(label=TipoVoce.AZIONE.label)
    destinatari = ElencoField(label=TipoVoce.DESTINATARIO.label)
    personale = ElencoField(label=TipoVoce.PERSONALE.label)
    aree_policy = ElencoField(label=TipoVoce.AREA_POLICY.label)
    punti_chiave = ElencoField(label=TipoVoce.PUNTO_CHIAVE.label)

    class Meta:
        model = Scheda
        fields = [
            "numero",
            "titolo",
            "sottotitolo",
            "obiettivo",
            "budget",
            "note_risorse",
            "integrata_altre_aree",
            "progetto",
            "servizi",
            *Scheda.RISPOSTE,
        ]
        widgets = {
            "titolo": forms.Textarea(attrs={"rows": 2}),
            "note_risorse": forms.Textarea(attrs={"rows": 2}),
            "servizi": forms.CheckboxSelectMultiple,
            "integrata_altre_aree": SiNoSelect,
            **{si: SiNoSelect for si, _note in Scheda.DOMANDE},
            **{
                campo: forms.Textarea(attrs={"rows": 2})
                for campo in [
                    *[note for _si, note in Scheda.DOMANDE],
                    "coinvolgimento_ets",
                    "bisogno_precedente",
                    "tipo_obiettivo_note",
                ]
            },
        }

    def __init__(self, *args, piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.piano = piano
        if self.instance.pk:
            for nome, elenco in self.instance.elenchi.items():
                self.initial.setdefault(nome, elenco)
        self.fields["obiettivo"].queryset = (
            self.fields["obiettivo"].queryset.filter(piano=piano).order_by("ordinamento")
        )
        self.fields["obiettivo"].error_messages["invalid_choice"] = MSG_STESSO_PIANO_OBIETTIVO
        for nome in ("promozionale", "preventivo", "riparativo"):
            self.fields[nome].widget.attrs.pop("class", None)

    def domande(self):
        """(question, answer field, free-text field) in the template's order."""
        return [(self[si].label, self[si], self[note]) for si, note in Scheda.DOMANDE]

    def sezioni(self):
        return [(titolo, [self[nome] for nome in campi]) for titolo, campi in self.SEZIONI]

    def voci(self):
        return {nome: self.cleaned_data.get(nome, []) for nome in ELENCHI}


class AnniPianoForm(StyledFormMixin, forms.Form):
    """The years of a new plan."""

    anno_inizio = AnnoField(label=_("Primo anno"))
    anno_fine = AnnoField(label=_("Ultimo anno"))

    def clean(self):
        dati = super().clean()
        inizio, fine = dati.get("anno_inizio"), dati.get("anno_fine")
        if inizio and fine and fine < inizio:
            self.add_error("anno_fine", _("L'ultimo anno non può precedere il primo."))
        return dati


class PianoCopiaForm(AnniPianoForm):
    con_target = forms.BooleanField(
        label=_("Copia anche i valori attesi (target) degli indicatori e i budget delle schede"),
        required=False,
    )


MODELLO = "modello"


class PrimoPianoForm(AnniPianoForm):
    """A first plan: the Ambito, and where it starts from (the template or a shared plan)."""

    ambito = AmbitoChoiceField(queryset=Ambito.objects.none(), label=_("Ambito"))
    origine = forms.ChoiceField(
        label=_("Parti da"),
        help_text=_(
            "Il modello contiene le macro-aree delle Linee di indirizzo regionali e alcuni "
            "indicatori comuni; un Piano condiviso porta la struttura di un altro Ambito. "
            "Tutto resta modificabile."
        ),
    )

    field_order = ["ambito", "origine", "anno_inizio", "anno_fine"]

    def __init__(self, *args, user, condivisi, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].queryset = Ambito.objects.editable_by(user).order_by("nome")
        if len(self.fields["ambito"].queryset) == 1:
            self.fields["ambito"].initial = self.fields["ambito"].queryset[0].pk
        self.condivisi = {str(p.pk): p for p in condivisi}
        self.fields["origine"].choices = [
            (MODELLO, _("Il modello regionale")),
            *[
                (
                    pk,
                    _("%(piano)s condiviso dall'Ambito %(ambito)s")
                    % {"piano": p, "ambito": p.ambito},
                )
                for pk, p in self.condivisi.items()
            ],
        ]
        self.fields["origine"].initial = MODELLO

    def piano_condiviso(self):
        return self.condivisi.get(self.cleaned_data["origine"])
