"""Querysets of the indicators: scoping (from ambito) plus the questions asked often."""

from django.db.models import Q

from ambito.platform.querysets import ScopedManager, ScopedQuerySet

from .choices import MESI_DI_CHIUSURA, AggregazioneComuni, StatoValore


def periodicita_dovute(periodo) -> list[str]:
    """Periodicities whose cycle ends in the month the period ends."""
    mese = periodo.data_fine.month
    return [str(p) for p, mesi in MESI_DI_CHIUSURA.items() if mese in mesi]


class IndicatoreQuerySet(ScopedQuerySet):
    def dovuti_nel(self, periodo):
        """Indicators of the period's Ambito that must be reported in that period.

        An indicator is due when its reporting window overlaps the period and the
        period ends where one of its cycles ends (an annual indicator in the period
        that closes the year, a half-yearly one in June and December, ...).
        """
        return self.dovuti_tra(
            periodo.ambito_id, periodo.data_inizio, periodo.data_fine, periodicita_dovute(periodo)
        )

    def dovuti_tra(self, ambito_id, data_inizio, data_fine, periodicita):
        """`dovuti_nel` from the period's fields (a compiled query's parameters)."""
        return self.filter(
            Q(rilevazione_al__isnull=True) | Q(rilevazione_al__gte=data_inizio),
            piano__ambito_id=ambito_id,
            rilevazione_dal__lte=data_fine,
            periodicita__in=periodicita,
        )

    def da_compilare(self):
        """Indicators whose values are typed (a computed percentage is not)."""
        return self.filter(numeratore__isnull=True)


class ValoreQuerySet(ScopedQuerySet):
    def righe_totale(self):
        """The rows that make an indicator's total.

        The total row (no category), or the category rows when the categories are
        exhaustive and the total is their sum.
        """
        return self.filter(
            Q(indicatore__categorie_esaustive=False, categoria__isnull=True)
            | Q(indicatore__categorie_esaustive=True, categoria__isnull=False)
        )

    def approvati(self):
        return self.filter(stato=StatoValore.APPROVATO)

    def pesati(self):
        return self.filter(indicatore__aggregazione_comuni=AggregazioneComuni.MEDIA_PESATA)


IndicatoreManager = ScopedManager.from_queryset(IndicatoreQuerySet)
ValoreManager = ScopedManager.from_queryset(ValoreQuerySet)
