"""Questions about a user's roles, answered from his Incarichi (one query, cached)."""

from functools import cached_property

from .choices import Ruolo


class Ruoli:
    """The roles of one user, loaded once per request (`request.user.ruoli`)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def incarichi(self):
        if not self.user.is_authenticated:
            return []
        return list(self.user.incarichi.select_related("ambito", "comune"))

    @cached_property
    def ambiti(self):
        seen = {}
        for incarico in self.incarichi:
            seen.setdefault(incarico.ambito_id, incarico.ambito)
        return list(seen.values())

    def ha_ruolo(self, ruolo, ambito_id=None) -> bool:
        return any(
            i.ruolo == ruolo and (ambito_id is None or i.ambito_id == ambito_id)
            for i in self.incarichi
        )

    @property
    def is_ufficio_piano(self) -> bool:
        return self.user.is_superuser or self.ha_ruolo(Ruolo.UFFICIO_PIANO)

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
