from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

codice_istat_validator = RegexValidator(
    r"^\d{6}\Z", _("Il codice ISTAT deve essere composto da esattamente 6 cifre.")
)
codice_fiscale_ente_validator = RegexValidator(
    r"^\d{11}\Z",
    _("Il codice fiscale di un ente deve essere composto da esattamente 11 cifre."),
)


def codice_fiscale_checksum_ok(value: str) -> bool:
    """Check digit of an 11-digit codice fiscale / partita IVA (Luhn-like algorithm)."""
    digits = [int(c) for c in value]
    total = 0
    for i, d in enumerate(digits[:10]):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == digits[10]


def e_un_id(testo) -> bool:
    """Whether a query parameter is a record id: 1 to 18 ASCII digits.

    Not `str.isdigit()`, which also accepts "²" or "①" (int() refuses them: a 500) and
    digit strings too long for int() or for a database integer.
    """
    testo = str(testo)
    return 0 < len(testo) <= 18 and testo.isascii() and testo.isdigit()
