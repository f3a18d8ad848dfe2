"""The app counts people, it does not record them: no model of Zonale's apps has a field
for a beneficiary's identity (name, tax code, birth, health). Checked on every model,
also those added later."""

import re

from django.apps import apps

from ambito.apps import ZONALE_APPS

# Names of fields that would hold a person's identity or health.
VIETATI = re.compile(
    r"(^|_)(cognome|nominativo|beneficiari[oa]_?nome|nome_beneficiari[oa]|data_(di_)?nascita|"
    r"luogo_(di_)?nascita|sesso|genere|diagnosi|patologi[ae]|disabilita_tipo|"
    r"indirizzo_(di_)?residenza|telefono|cellulare|email|e_mail|iban)($|_)"
)


def campi_zonale():
    for app in ZONALE_APPS:
        if not apps.is_installed(app):
            continue
        for model in apps.get_app_config(app).get_models():
            if getattr(model, "instance_type", None):  # history tables mirror their models
                continue
            for field in model._meta.get_fields():
                if field.concrete:
                    yield model, field


def test_no_field_holds_a_persons_identity():
    trovati = [
        f"{model._meta.label}.{field.name}"
        for model, field in campi_zonale()
        if VIETATI.search(field.name)
    ]
    assert not trovati, f"fields that look like personal data: {trovati}"


def test_tax_codes_are_only_those_of_bodies():
    """A person's codice fiscale has 16 characters, a body's 11: only the latter fit."""
    for model, field in campi_zonale():
        if "codice_fiscale" in field.name:
            assert field.max_length == 11, f"{model._meta.label}.{field.name} fits a person's"


def test_the_check_would_spot_a_beneficiary_field():
    for name in ["cognome", "data_nascita", "nome_beneficiario", "telefono", "diagnosi"]:
        assert VIETATI.search(name), name
    for name in ["nome", "residenti", "beneficiari", "codice_istat", "numero_beneficiari"]:
        assert not VIETATI.search(name), name
