"""The one validate-then-save helper every app's services use: field checks
(`clean_fields`), the entity's named rules (validators, in place of `Model.clean`),
unique checks and constraints, then save."""

from collections.abc import Callable, Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .cache import invalida_cache_di
from .versioning import version_bump

Validator = Callable[[object], None]


def run_validators(instance, validators: Iterable[Validator]) -> None:
    """Run the named rules of an entity, raising all their errors together."""
    errors: dict = {}
    for validator in validators:
        try:
            validator(instance)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def instance_validate(
    instance,
    *,
    validators: Iterable[Validator] = (),
    exclude=None,
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """Django's `full_clean()` with the entity's named validators where `clean()` runs."""
    exclude = set(exclude or ())
    errors: dict = {}
    for check in (
        lambda: instance.clean_fields(exclude=exclude),
        instance.clean,
        lambda: run_validators(instance, validators),
    ):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    # Unique checks and constraints only for the fields that passed, as full_clean().
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    for enabled, check in (
        (validate_unique, instance.validate_unique),
        (validate_constraints, instance.validate_constraints),
    ):
        if not enabled:
            continue
        try:
            check(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def instance_save(instance, *, validators: Iterable[Validator] = (), **options):
    """Validate (see `instance_validate`) and save; the caller holds the transaction."""
    instance_validate(instance, validators=validators, **options)
    version_bump(instance)
    instance.save()
    invalida_cache_di(instance)
    return instance
