"""Questions about a user's roles, answered from his Incarichi (one query, cached)."""

from functools import cache, cached_property

from django.db import router

from .choices import Ruolo


@cache
def _colonne(tipo) -> list[str]:
    """The columns of an Ambito or a Comune, read with the Incarichi."""
    from .models import Ambito, Comune

    return [f.attname for f in (Ambito if tipo == "ambito" else Comune)._meta.concrete_fields]


@cache
def _incarichi_di():
    """A user's Incarichi with their Ambito's and Comune's columns, compiled once."""
    from ambito.platform.compilate import Compilata

    from .models import Incarico

    return Compilata(
        Incarico,
        lambda user_id: (
            Incarico.objects.filter(user_id=user_id)
            .order_by("pk")
            .values_list(
                "ruolo",
                *(f"ambito__{c}" for c in _colonne("ambito")),
                *(f"comune__{c}" for c in _colonne("comune")),
            )
        ),
    )


@cache
def _ambiti_delle_regioni():
    """The columns of the Ambiti of some regions, by name, compiled once."""
    from ambito.platform.compilate import Compilata

    from .models import Ambito

    return Compilata(
        Ambito,
        lambda regioni: (
            Ambito.objects.filter(regione__in=regioni)
            .order_by("nome")
            .values_list(*_colonne("ambito"))
        ),
    )


class IncaricoLetto:
    """One of the user's roles as the rules and the querysets read it: the role and the
    ids, no model instance (a user of 200 Ambiti would build 400 of them, Incarichi and
    their Ambiti, at every request). `ambito` and `comune` are built on first use from
    the row already read."""

    __slots__ = ("ruolo", "ambito_id", "comune_id", "regione", "_ruoli")

    def __init__(self, ruoli, ruolo, ambito_id, comune_id, regione):
        self._ruoli = ruoli
        self.ruolo = ruolo
        self.ambito_id = ambito_id
        self.comune_id = comune_id
        self.regione = regione

    @property
    def ambito(self):
        return self._ruoli.ambito(self.ambito_id)

    @property
    def comune(self):
        return self._ruoli.comune_di(self.comune_id)

    def get_ruolo_display(self) -> str:
        return Ruolo(self.ruolo).label


class Ruoli:
    """The roles of one user, loaded once per request (`request.user.ruoli`)."""

    def __init__(self, user):
        self.user = user
        # Each Ambito's and Comune's columns, as read with the Incarichi: their model
        # instances are built only if asked for (the page header, an Operatore's Comune).
        self._righe = {"ambito": {}, "comune": {}}
        self._istanze = {"ambito": {}, "comune": {}}

    @cached_property
    def incarichi(self) -> list[IncaricoLetto]:
        """The user's Incarichi; a regional role's reaches every Ambito of its region.

        The regional ones are added for each other Ambito of the region (one more
        query, only for such users), so that the querysets and the rules read them as
        they read any other Incarico.
        """
        if not self.user.is_authenticated:
            return []
        from .rules import ESTESO_ALLA_REGIONE

        n_ambito, regione = len(_colonne("ambito")), _colonne("ambito").index("regione")
        propri = []
        for ruolo, *valori in _incarichi_di().righe(self.user.pk):
            ambito, comune = valori[:n_ambito], valori[n_ambito:]
            self._righe["ambito"][ambito[0]] = ambito
            if comune[0] is not None:
                self._righe["comune"][comune[0]] = comune
            propri.append(IncaricoLetto(self, ruolo, ambito[0], comune[0], ambito[regione]))
        regionali = {}
        for incarico in propri:
            if incarico.ruolo in ESTESO_ALLA_REGIONE:
                regionali.setdefault(incarico.regione, set()).add(incarico.ruolo)
        if not regionali:
            return propri
        presenti = {(i.ambito_id, i.ruolo) for i in propri}
        estesi = []
        for ambito in _ambiti_delle_regioni().righe(sorted(regionali)):
            self._righe["ambito"].setdefault(ambito[0], ambito)
            estesi += [
                IncaricoLetto(self, ruolo, ambito[0], None, ambito[regione])
                for ruolo in sorted(regionali[ambito[regione]])
                if (ambito[0], ruolo) not in presenti
            ]
        return propri + estesi

    def _istanza(self, tipo, pk):
        if pk is None:
            return None
        istanze = self._istanze[tipo]
        if pk not in istanze:
            from .models import Ambito, Comune

            modello = Ambito if tipo == "ambito" else Comune
            istanze[pk] = modello.from_db(
                router.db_for_read(modello), _colonne(tipo), self._righe[tipo][pk]
            )
        return istanze[pk]

    def ambito(self, ambito_id):
        """The Ambito of one of the user's Incarichi (no query)."""
        return self._istanza("ambito", ambito_id)

    def ambito_letto(self, ambito_id):
        """The Ambito if it came with the user's Incarichi (no query), else None."""
        self.incarichi  # noqa: B018 - they bring the Ambiti's rows
        if ambito_id not in self._righe["ambito"]:
            return None
        return self._istanza("ambito", ambito_id)

    def comune_di(self, comune_id):
        """The Comune of one of the user's Incarichi (no query)."""
        return self._istanza("comune", comune_id)

    @cached_property
    def regioni(self) -> list[str]:
        """The regions whose dashboard the user reads (all of them for a superuser)."""
        from .models import Ambito
        from .rules import LEGGE_REGIONE

        if self.user.is_superuser:
            return list(
                Ambito.objects.order_by("regione").values_list("regione", flat=True).distinct()
            )
        return sorted({i.regione for i in self.incarichi if i.ruolo in LEGGE_REGIONE})

    @property
    def tutte_le_regioni(self) -> bool:
        """Reads the regional dashboard of every region at once (the national view): the
        superuser only; a Regione reads its own region(s), one at a time."""
        return self.user.is_superuser

    @cached_property
    def ambiti(self):
        return [self.ambito(a) for a in dict.fromkeys(i.ambito_id for i in self.incarichi)]

    @property
    def piu_ambiti(self) -> bool:
        """Sees more than one Ambito (the superuser, a Regione, an Ufficio di Piano of
        several): national lists show per-Ambito totals or narrowed choices for him."""
        return self.user.is_superuser or len({i.ambito_id for i in self.incarichi}) > 1

    def ha_ruolo(self, ruolo, ambito_id=None) -> bool:
        return any(
            i.ruolo == ruolo and (ambito_id is None or i.ambito_id == ambito_id)
            for i in self.incarichi
        )

    @property
    def is_ufficio_piano(self) -> bool:
        return self.user.is_superuser or self.ha_ruolo(Ruolo.UFFICIO_PIANO)

    @property
    def is_regione(self) -> bool:
        return self.ha_ruolo(Ruolo.REGIONE)

    @property
    def is_operatore(self) -> bool:
        return self.ha_ruolo(Ruolo.OPERATORE)

    @property
    def is_revisore(self) -> bool:
        return self.ha_ruolo(Ruolo.REVISORE)

    @cached_property
    def comune(self):
        """The Comune of an Operatore (the first, if he has several)."""
        return next((i.comune for i in self.incarichi if i.ruolo == Ruolo.OPERATORE), None)

    def ambiti_gestiti(self):
        """Ambiti where the user may create records (Ufficio di Piano)."""
        from .models import Ambito

        return Ambito.objects.editable_by(self.user)

    @property
    def etichetta(self) -> str:
        if self.user.is_superuser:
            return "Amministratore"
        return ", ".join(sorted({str(i.get_ruolo_display()) for i in self.incarichi}))


def ruoli(user) -> Ruoli:
    cached = getattr(user, "_zonale_ruoli", None)
    if cached is None:
        cached = Ruoli(user)
        user._zonale_ruoli = cached
    return cached
