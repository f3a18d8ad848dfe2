"""Questions about a user's roles, answered from his Incarichi (one query, cached)."""

from functools import cached_property

from .choices import Ruolo


class Ruoli:
    """The roles of one user, loaded once per request (`request.user.ruoli`)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def incarichi(self):
        """The user's Incarichi; a regional role's reaches every Ambito of its region.

        The regional ones are unsaved copies (one per other Ambito of the region, one
        more query, only for such users), so that the querysets and the rules read
        them as they read any other Incarico.
        """
        if not self.user.is_authenticated:
            return []
        from .rules import ESTESO_ALLA_REGIONE

        propri = list(self.user.incarichi.select_related("ambito", "comune"))
        regionali = [i for i in propri if i.ruolo in ESTESO_ALLA_REGIONE]
        if not regionali:
            return propri
        from .models import Ambito, Incarico

        ruoli_per_regione = {}
        for incarico in regionali:
            ruoli_per_regione.setdefault(incarico.ambito.regione, set()).add(incarico.ruolo)
        presenti = {(i.ambito_id, i.ruolo) for i in propri}
        estesi = [
            Incarico(user=self.user, ambito=ambito, ruolo=ruolo)
            for ambito in Ambito.objects.filter(regione__in=ruoli_per_regione).order_by("nome")
            for ruolo in sorted(ruoli_per_regione[ambito.regione])
            if (ambito.pk, ruolo) not in presenti
        ]
        return propri + estesi

    @cached_property
    def regioni(self) -> list[str]:
        """The regions whose dashboard the user reads (all of them for a superuser)."""
        from .models import Ambito
        from .rules import LEGGE_REGIONE

        if self.user.is_superuser:
            return list(
                Ambito.objects.order_by("regione").values_list("regione", flat=True).distinct()
            )
        return sorted({i.ambito.regione for i in self.incarichi if i.ruolo in LEGGE_REGIONE})

    @property
    def tutte_le_regioni(self) -> bool:
        """Reads the regional dashboard of every region at once (the national view): the
        superuser only; a Regione reads its own region(s), one at a time."""
        return self.user.is_superuser

    @cached_property
    def ambiti(self):
        seen = {}
        for incarico in self.incarichi:
            seen.setdefault(incarico.ambito_id, incarico.ambito)
        return list(seen.values())

    @property
    def piu_ambiti(self) -> bool:
        """Sees more than one Ambito (the superuser, a Regione, an Ufficio di Piano of
        several): national lists show per-Ambito totals or narrowed choices for him."""
        return self.user.is_superuser or len(self.ambiti) > 1

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
