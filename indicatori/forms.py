"""Forms of the indicator pages. They only parse input: every rule is in services.py."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ambito.forms import AmbitoChoiceField
from ambito.models import Ambito
from ambito.platform.forms import AnnoField, ScopedModelForm, StyledFormMixin, style_form
from ambito.validators import e_un_id

from .choices import Periodicita, UnitaMisura
from .models import Indicatore, Periodo
from .services import Cella

NUMERO_ERRORI = {
    "invalid": _("Inserire un numero (es. 12 oppure 12,5)."),
    "max_digits": _("Il valore ha troppe cifre."),
    "max_decimal_places": _("Al massimo due decimali."),
    "max_whole_digits": _("Il valore ha troppe cifre."),
}


def _senza_zeri(numero):
    """12.00 -> 12, 12.50 -> 12.5: what the user typed, not the column's scale."""
    if numero is None:
        return None
    if numero == numero.to_integral_value():
        return int(numero)
    return numero.normalize()


def nome_valore(chiave):
    return f"v-{chiave}"


def nome_versione(chiave):
    return f"ver-{chiave}"


def nome_commento(chiave):
    return f"n-{chiave}"


class GrigliaForm(StyledFormMixin, forms.Form):
    """The entry grid: one input per editable cell, its version, one comment per row.

    Built from the groups of `selectors.griglia_inserimento`; `celle()` returns the
    submission for `services.valori_save`.
    """

    riepilogo_proprio = True  # inserimento.html lists the cells in error itself

    conferma_anomalie = forms.BooleanField(
        label=_("Confermo i valori segnalati: sono corretti anche se lontani dallo storico."),
        required=False,
    )

    def __init__(self, *args, gruppi, **kwargs):
        super().__init__(*args, **kwargs)
        self._anomalie = {}
        self.gruppi = gruppi
        self._celle = {}
        for gruppo in gruppi:
            for riga in gruppo.righe:
                ind = riga.indicatore
                for posizione, cella in enumerate(riga.celle):
                    if not riga.modificabili.get(cella.chiave):
                        continue
                    self._celle[cella.chiave] = (riga, cella)
                    etichetta = (
                        ind.nome
                        if cella.categoria is None
                        else (f"{ind.nome} - {cella.categoria.nome}")
                    )
                    self.fields[nome_valore(cella.chiave)] = self._campo(ind, cella, etichetta)
                    self.fields[nome_versione(cella.chiave)] = forms.IntegerField(
                        widget=forms.HiddenInput, initial=cella.versione, required=False
                    )
                    if posizione == 0:
                        self.fields[nome_commento(cella.chiave)] = forms.CharField(
                            label=_("Commento a «%(nome)s»") % {"nome": ind.nome},
                            required=False,
                            max_length=2000,
                            initial=cella.valore.commento if cella.valore else "",
                            widget=forms.TextInput(attrs={"class": "form-control"}),
                        )
        self.order_fields([f for f in self.fields if f != "conferma_anomalie"])
        style_form(self)

    def _campo(self, indicatore, cella, etichetta):
        valore = cella.valore
        if indicatore.unita == UnitaMisura.TESTO:
            return forms.CharField(
                label=etichetta,
                required=False,
                max_length=4000,
                initial=valore.valore_testo if valore else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        attrs = {"inputmode": "numeric" if indicatore.unita == "conteggio" else "decimal"}
        attrs["autocomplete"] = "off"
        return forms.DecimalField(
            label=etichetta,
            required=False,
            localize=True,
            max_digits=14,
            decimal_places=2,
            initial=_senza_zeri(valore.valore_numerico) if valore else None,
            error_messages=NUMERO_ERRORI,
            widget=forms.TextInput(attrs=attrs),
        )

    def celle(self) -> list[Cella]:
        """The submitted cells (those whose input could not be parsed are left out)."""
        data = self.cleaned_data
        risultato = []
        for chiave, (riga, cella) in self._celle.items():
            if nome_valore(chiave) in self.errors or nome_valore(chiave) not in self.data:
                continue  # unparsable, or not posted at all (a missing input is no change)
            contenuto = data.get(nome_valore(chiave))
            testo = contenuto if isinstance(contenuto, str) else ""
            numero = None if isinstance(contenuto, str) else contenuto
            commento_campo = nome_commento(chiave)
            commento = (
                data.get(commento_campo, "")
                if commento_campo in self.fields
                else (cella.valore.commento if cella.valore else "")
            )
            risultato.append(
                Cella(
                    indicatore=riga.indicatore,
                    categoria=cella.categoria,
                    valore_numerico=numero,
                    valore_testo=testo or "",
                    commento=commento or "",
                    versione=data.get(nome_versione(chiave)) or 0,
                )
            )
        return risultato

    def aggiungi_errori(self, errori):
        """Put each service error next to its cell (or on top when it has no cell)."""
        anomalie = []
        for errore in errori:
            campo = nome_valore(errore.chiave)
            if errore.anomalia:
                anomalie.append(errore)
                self._anomalie.setdefault(errore.chiave, []).append(errore.messaggio)
            elif campo in self.fields:
                self.add_error(campo, errore.messaggio)
            else:
                self.add_error(None, errore.messaggio)
        style_form(self)  # aria-invalid / aria-describedby on the cells now in error
        return anomalie

    @property
    def anomalie(self):
        return self._anomalie

    def full_clean(self):
        self._anomalie = {}
        super().full_clean()


class MotivoForm(StyledFormMixin, forms.Form):
    motivo = forms.CharField(
        label=_("Motivo"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indicare il motivo.")},
    )


class SelezioneValoriForm(StyledFormMixin, forms.Form):
    """Review of one Comune: the values chosen and, to return them, the reason."""

    valori = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Valori"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Scegliere almeno un valore.")},
    )
    motivo = forms.CharField(
        label=_("Motivo della restituzione"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obbligatorio per restituire i valori a chi li ha inseriti."),
    )

    def __init__(self, *args, valori, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valori"].queryset = valori


class _ScelteLette(ModelChoiceIterator):
    """The choices of the field's queryset read once: Django's iterator queries again
    on every pass, and a rendered filter bar passes more than once (the Select widget
    reads the first choice to decide `required`, the years come from the periods)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.queryset:  # its result cache, filled by the first pass
            yield self.choice(obj)


class _SceltaAmbito(AmbitoChoiceField):
    iterator = _ScelteLette


class _SceltaModello(forms.ModelChoiceField):
    iterator = _ScelteLette


class CruscottoForm(StyledFormMixin, forms.Form):
    """Filters of the Ambito dashboard; every choice limited to what the user may see."""

    ambito = _SceltaAmbito(queryset=None, required=False, label=_("Ambito"))
    anno = forms.TypedChoiceField(coerce=int, required=False, label=_("Anno"), choices=())
    periodo = _SceltaModello(queryset=None, required=False, label=_("Periodo"))
    comune = _SceltaModello(queryset=None, required=False, label=_("Comune"))
    area = _SceltaModello(
        queryset=None, required=False, label=_("Area"), empty_label=_("Tutte le aree")
    )

    def __init__(self, *args, user, **kwargs):
        from ambito.models import Ambito, Comune
        from servizi.models import AreaIntervento

        from .models import Periodo

        super().__init__(*args, **kwargs)
        self.fields["ambito"].queryset = Ambito.objects.visible_to(user)
        self.fields["ambito"].empty_label = None
        periodi = Periodo.objects.visible_to(user).order_by("-data_fine")
        comuni = Comune.objects.visible_to(user)
        ambito_id = self.data.get("ambito") if self.is_bound else None
        self._ambito_dei_periodi = None
        if ambito_id and e_un_id(ambito_id):
            periodi = periodi.filter(ambito_id=ambito_id)
            comuni = comuni.filter(ambito_id=ambito_id)
            self._ambito_dei_periodi = int(ambito_id)
        elif self.ambito_predefinito is not None:
            periodi = periodi.filter(ambito=self.ambito_predefinito)
            comuni = comuni.filter(ambito=self.ambito_predefinito)
            self._ambito_dei_periodi = self.ambito_predefinito.pk
        self.fields["periodo"].queryset = periodi
        self.fields["periodo"].empty_label = _("Ultimo periodo in corso")
        self.fields["comune"].queryset = comuni
        self.fields["comune"].empty_label = _("Tutti i Comuni")
        self.fields["area"].queryset = AreaIntervento.objects.all()
        anni = sorted({p.data_fine.year for p in self.fields["periodo"].queryset}, reverse=True)
        self.fields["anno"].choices = [("", _("Anno del periodo"))] + [(a, a) for a in anni]

    def periodi_di(self, ambito):
        """The periods of the choices when they are `ambito`'s (None otherwise, as when the
        chosen Ambito is not one the user sees): read once, for the list and the years,
        they spare the dashboard reading them again."""
        if ambito is None or self._ambito_dei_periodi != ambito.pk:
            return None
        return list(self.fields["periodo"].queryset)

    @cached_property
    def ambito_predefinito(self):
        """The Ambito shown when none is chosen (or the choice is not valid): the first
        of the choices, which are read once for the rendered list too."""
        return next(iter(self.fields["ambito"].queryset), None)


class CalendarioPeriodiForm(StyledFormMixin, forms.Form):
    """A year's calendar of periods of one periodicity, for the chosen indicators."""

    ambito = AmbitoChoiceField(queryset=None, label=_("Ambito"))
    anno = AnnoField()
    tipo = forms.ChoiceField(label=_("Durata dei periodi"), choices=Periodicita.choices)
    giorni_scadenza = forms.IntegerField(
        label=_("Giorni per l'invio dopo la fine di ogni periodo"),
        initial=30,
        min_value=0,
        max_value=365,
        error_messages={
            "invalid": _("Indicare un numero intero di giorni, ad esempio 30."),
            "min_value": _("Indicare un numero di giorni pari o superiore a 0."),
            "max_value": _("Al massimo 365 giorni."),
        },
        help_text=_("La scadenza di ogni periodo è la sua fine più questi giorni."),
    )
    indicatori = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Indicatori da rilevare con questa durata"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Gli indicatori scelti prendono questa periodicità: le griglie di inserimento e i "
            "promemoria li chiederanno in questi periodi."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ambiti = Ambito.objects.editable_by(user).order_by("nome")
        self.fields["ambito"].queryset = ambiti
        if len(ambiti) == 1:
            self.fields["ambito"].initial = ambiti[0].pk
        self.fields["indicatori"].queryset = (
            Indicatore.objects.editable_by(user)
            .filter(numeratore__isnull=True)
            .select_related("piano")
            .order_by("-piano__anno_inizio", "codice")
        )
        self.fields["indicatori"].label_from_instance = lambda i: (
            f"{i.codice} {i.nome} ({i.get_periodicita_display().lower()}, {i.piano.periodo})"
        )


class PeriodoForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Periodo
        fields = ["nome", "data_inizio", "data_fine", "scadenza", "note"]
        widgets = {
            campo: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for campo in ("data_inizio", "data_fine", "scadenza")
        } | {"note": forms.Textarea(attrs={"rows": 3})}


class IndicatoreForm(ScopedModelForm):
    """An indicator of one plan with its definition; choices only from that plan."""

    class Meta:
        model = Indicatore
        fields = [
            "codice",
            "nome",
            "descrizione",
            "scheda",
            "obiettivo",
            "servizio",
            "progetto",
            "area",
            "tipo",
            "unita",
            "livello",
            "periodicita",
            "aggregazione_comuni",
            "aggregazione_periodi",
            "direzione",
            "conta_beneficiari",
            "categorie_esaustive",
            "numeratore",
            "denominatore",
            "baseline",
            "baseline_nota",
            "valore_atteso",
            "valore_atteso_testo",
            "data_target",
            "rilevazione_dal",
            "rilevazione_al",
            "fonte",
            "ordine",
        ]
        widgets = {
            "descrizione": forms.Textarea(attrs={"rows": 3}),
            "nome": forms.Textarea(attrs={"rows": 2}),
            **{
                campo: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for campo in ("data_target", "rilevazione_dal", "rilevazione_al")
            },
        }

    def __init__(self, *args, piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.piano = piano
        for nome in ("scheda", "obiettivo"):
            self.fields[nome].queryset = self.fields[nome].queryset.filter(piano=piano)
        for nome in ("servizio", "progetto"):
            self.fields[nome].queryset = self.fields[nome].queryset.filter(
                ambito_id=piano.ambito_id
            )
        for nome in ("numeratore", "denominatore"):
            termini = self.fields[nome].queryset.filter(piano=piano)
            if self.instance.pk:
                termini = termini.exclude(pk=self.instance.pk)
            self.fields[nome].queryset = termini
        if not self.instance.pk:
            self.fields["rilevazione_dal"].initial = f"{piano.anno_inizio}-01-01"


class CruscottoRegioneForm(StyledFormMixin, forms.Form):
    """Filters of the regional dashboard. Province and indicator are offered from the
    region's data once read (`offri`); a value outside them is ignored by the selector."""

    regione = forms.ChoiceField(required=False, label=_("Regione"), choices=())
    anno = AnnoField(required=False, label=_("Anno"))
    provincia = forms.CharField(
        required=False, max_length=2, label=_("Provincia"), widget=forms.Select()
    )
    area = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Area"), empty_label=_("Tutte le aree")
    )
    indicatore = forms.CharField(
        required=False, max_length=30, label=_("Indicatore per Comune"), widget=forms.Select()
    )
    ordina = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput())

    def __init__(self, *args, regioni, tutte=False, **kwargs):
        """`regioni`: the regions the user reads; `tutte`: he may also read them all at
        once (the national view, offered first)."""
        from servizi.models import AreaIntervento

        from .regione import TUTTE

        super().__init__(*args, **kwargs)
        scelte = [(r, r) for r in regioni]
        if tutte:
            scelte.insert(0, (TUTTE, _("Tutte le regioni")))
        self.fields["regione"].choices = scelte
        if regioni:
            self.fields["regione"].initial = regioni[0]
        self.fields["area"].queryset = AreaIntervento.objects.all()

    def offri(self, dati):
        self.fields["provincia"].widget.choices = [("", _("Tutte le province"))] + [
            (p, p) for p in dati.province
        ]
        self.fields["indicatore"].widget.choices = [("", _("Nessuno"))] + [
            (codice, f"{codice} – {nome}"[:90]) for codice, nome in dati.indicatori
        ]
