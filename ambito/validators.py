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
