"""The business rules of an objective, one named function each.

Each validator takes the unsaved objective and raises a ValidationError keyed by the
field its message belongs next to; `services.obiettivo_save` runs them after the field
checks, and the admin form runs the same tuple.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import NUMERO_OBIETTIVO_RE


def _numero_valido(obiettivo) -> bool:
    return bool(NUMERO_OBIETTIVO_RE.match(obiettivo.numero or ""))


def validate_obiettivo_numero(obiettivo) -> None:
    """The number reads 1 (general objective) or 1.2 (specific objective)."""
    if not _numero_valido(obiettivo):
        raise ValidationError(
            {
                "numero": _(
                    "Il numero deve essere nella forma 1 (obiettivo generale) "
                    "o 1.2 (obiettivo specifico)."
                )
            }
        )


def _errore_generale(obiettivo, parent) -> dict:
    """The first rule a specific objective breaks towards its general one."""
    if obiettivo.pk and parent.pk == obiettivo.pk:
        return {"parent": _("Un obiettivo non può essere il generale di se stesso.")}
    if parent.piano_id != obiettivo.piano_id:
        return {
            "parent": _(
                "L'obiettivo generale deve appartenere allo stesso Piano di Zona "
                "dell'obiettivo specifico."
            )
        }
    if parent.parent_id is not None:
        return {
            "parent": _("Scegliere un obiettivo generale: %(numero)s è già un obiettivo specifico.")
            % {"numero": parent.numero}
        }
    if obiettivo.pk and obiettivo.specifici.exists():
        return {
            "parent": _(
                "Questo obiettivo ha obiettivi specifici: non può diventare a sua volta specifico."
            )
        }
    return {}


def validate_obiettivo_generale(obiettivo) -> None:
    """A specific objective hangs from a general objective of the same Piano."""
    if obiettivo.parent_id:
        errors = _errore_generale(obiettivo, obiettivo.parent)
    elif _numero_valido(obiettivo) and "." in obiettivo.numero:
        errors = {
            "parent": _(
                "Un obiettivo numerato come specifico (es. 1.2) deve avere un obiettivo generale."
            )
        }
    else:
        errors = {}
    if errors:
        raise ValidationError(errors)


def _generale_valido(obiettivo):
    """The general objective, when the objective hangs from it correctly."""
    if not obiettivo.parent_id or _errore_generale(obiettivo, obiettivo.parent):
        return None
    return obiettivo.parent


def validate_obiettivo_numero_del_generale(obiettivo) -> None:
    """A specific objective's number starts with its general objective's."""
    parent = _generale_valido(obiettivo)
    if parent is None or not _numero_valido(obiettivo):
        return
    if not obiettivo.numero.startswith(f"{parent.numero}."):
        raise ValidationError(
            {
                "numero": _(
                    "Il numero di un obiettivo specifico inizia con quello del suo obiettivo "
                    "generale (es. %(numero)s.1)."
                )
                % {"numero": parent.numero}
            }
        )


def validate_obiettivo_macro_area(obiettivo) -> None:
    """The macro-area is of the same Piano, and a specific objective shares its general's."""
    if not obiettivo.macro_area_id:
        return
    if obiettivo.piano_id and obiettivo.macro_area.piano_id != obiettivo.piano_id:
        raise ValidationError(
            {"macro_area": _("La macro-area deve appartenere allo stesso Piano di Zona.")}
        )
    parent = _generale_valido(obiettivo)
    if parent is not None and obiettivo.macro_area_id != parent.macro_area_id:
        raise ValidationError(
            {
                "macro_area": _(
                    "Un obiettivo specifico sta nella macro-area del suo obiettivo generale."
                )
            }
        )


OBIETTIVO = (
    validate_obiettivo_numero,
    validate_obiettivo_generale,
    validate_obiettivo_numero_del_generale,
    validate_obiettivo_macro_area,
)
