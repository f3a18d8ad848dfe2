"""Forms of the servizi app. They only collect input: the rules are checked by the
models' clean() and the services, whose messages appear next to the fields."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ambito.platform.forms import AnnoField, EuroField, ScopedModelForm, StyledFormMixin

from .choices import UnitaStatistica
from .models import (
    Avviso,
    DatoAnnuale,
    Grandezza,
    MisuraTabella,
    QuotaAvviso,
    Servizio,
    Tabella,
    UnitaOfferta,
)
from .tabelle import xlsx_come_csv


class PostiPerMilleForm(forms.Form):
    """The population year of the places per 1.000 residents (summary page and API)."""

    anno = AnnoField(required=False, label=_("Anno della popolazione"))


class ServizioForm(ScopedModelForm):
    class Meta:
        model = Servizio
        fields = [
            "ambito",
            "nome",
            "tipo",
            "area",
            "stato",
            "leps",
            "ente_gestore",
            "data_avvio",
            "sezione",
            "comuni",
            "linee",
            "descrizione",
            "sviluppo_futuro",
        ]
        widgets = {
            "comuni": forms.CheckboxSelectMultiple,
            "data_avvio": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "descrizione": forms.Textarea(attrs={"rows": 5}),
            "sviluppo_futuro": forms.Textarea(attrs={"rows": 4}),
        }


class UnitaOffertaForm(ScopedModelForm):
    class Meta:
        model = UnitaOfferta
        fields = [
            "ambito",
            "area",
            "tipo",
            "nome",
            "comune",
            "posti",
            "gestione",
            "ente_gestore",
            "localita",
            "note",
        ]
        widgets = {
            "posti": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Negative places get the model's Italian message, not the browser's.
        self.fields["posti"].widget.attrs.pop("min", None)


class DatoAnnualeForm(ScopedModelForm):
    valore = forms.DecimalField(label=_("Valore"), max_digits=14, decimal_places=2, localize=True)

    class Meta:
        model = DatoAnnuale
        fields = ["grandezza", "anno", "comune", "categoria", "valore", "nota"]

    def __init__(self, *args, servizio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grandezza"].queryset = Grandezza.objects.filter(servizio=servizio)
        self.fields["comune"].queryset = self.fields["comune"].queryset.filter(
            ambito=servizio.ambito
        )


class AvvisoForm(ScopedModelForm):
    class Meta:
        model = Avviso
        fields = [
            "numero",
            "titolo",
            "riferimento",
            "data_apertura",
            "data_chiusura",
            "domande_finanziate",
            "domande_scorrimento",
            "domande_in_attesa",
            "nota",
        ]
        widgets = {
            "data_apertura": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "data_chiusura": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nota": forms.Textarea(attrs={"rows": 3}),
        }


class QuotaAvvisoForm(StyledFormMixin, forms.ModelForm):
    importo = EuroField(label=_("Importo (€)"))

    class Meta:
        model = QuotaAvviso
        fields = ["tipo", "riferimento", "importo"]


QuotaFormSet = forms.inlineformset_factory(
    Avviso, QuotaAvviso, form=QuotaAvvisoForm, extra=2, can_delete=True
)


class TabellaForm(ScopedModelForm):
    """A new statistical table and its measures, one per line."""

    misure = forms.CharField(
        label=_("Misure"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Una per riga: codice; nome; unità (conteggio, percentuale, per_mille, indice, "
            "media); decimali stampati. Ad esempio: popolazione; Popolazione residente; "
            "conteggio; 0"
        ),
    )

    class Meta:
        model = Tabella
        fields = ["ambito", "codice", "titolo", "sezione", "fonte", "data_riferimento"]

    def clean_misure(self):
        unita = dict(UnitaStatistica.choices)
        misure, errori = [], []
        for numero, linea in enumerate(self.cleaned_data["misure"].splitlines(), start=1):
            if not linea.strip():
                continue
            parti = [p.strip() for p in linea.split(";")]
            if len(parti) != 4:
                errori.append(_("Riga %(n)d: servono 4 parti separate da «;».") % {"n": numero})
                continue
            codice, nome, tipo, decimali = parti
            if not slugify(codice) == codice or not codice:
                errori.append(
                    _(
                        "Riga %(n)d: il codice «%(c)s» può avere solo lettere minuscole, cifre, "
                        "«-» e «_»."
                    )
                    % {"n": numero, "c": codice}
                )
            if tipo not in unita:
                errori.append(_("Riga %(n)d: unità «%(u)s» non valida.") % {"n": numero, "u": tipo})
            if not decimali.isdigit() or int(decimali) > 4:
                errori.append(_("Riga %(n)d: i decimali sono un numero da 0 a 4.") % {"n": numero})
            if not errori:
                misure.append(
                    MisuraTabella(
                        codice=codice,
                        nome=nome,
                        unita=tipo,
                        decimali=int(decimali),
                        ordine=numero,
                    )
                )
        codici = [m.codice for m in misure]
        if len(set(codici)) != len(codici):
            errori.append(_("Due misure hanno lo stesso codice."))
        if errori:
            raise forms.ValidationError(errori)
        if not misure:
            raise forms.ValidationError(_("Indicare almeno una misura."))
        return misure


class CaricaValoriForm(StyledFormMixin, forms.Form):
    """A CSV or .xlsx of rows for a table: first a preview, then the confirmation."""

    file = forms.FileField(
        label=_("File CSV o Excel (.xlsx)"),
        required=False,
        help_text=_(
            "Colonne: misura; territorio; comune; luogo; anno; categoria; valore "
            "(nel CSV separatore «;» o «,»; numeri come «124.835» o «21,5»)."
        ),
    )
    contenuto = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        dati = super().clean()
        file = dati.get("file")
        if file:
            if file.size > 2_000_000:
                raise forms.ValidationError(_("Il file supera 2 MB."))
            if file.read(4) == b"PK\x03\x04" or file.name.lower().endswith(".xlsx"):
                dati["contenuto"], errori = xlsx_come_csv(file, max_bytes=2_000_000)
                if errori:
                    raise forms.ValidationError(errori)
                return dati
            file.seek(0)
            try:
                dati["contenuto"] = file.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("Il file non è in UTF-8: salvarlo come «CSV UTF-8».")
                ) from None
        if not dati.get("contenuto"):
            raise forms.ValidationError(_("Scegliere un file CSV."))
        return dati


class AnniCapitoloForm(StyledFormMixin, forms.Form):
    dal = AnnoField(required=False, label=_("Dall'anno"))
    al = AnnoField(required=False, label=_("All'anno"))

    def clean(self):
        dati = super().clean()
        if dati.get("dal") and dati.get("al") and dati["dal"] > dati["al"]:
            raise forms.ValidationError(_("L'anno iniziale viene dopo quello finale."))
        return dati
