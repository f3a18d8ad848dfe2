"""Loads the territory of Ambito Visconteo Sud Milano from fixtures/ambito/."""

from decimal import Decimal

from django.conf import settings

from .choices import Ruolo
from .models import Ambito, Comune, DatiDemografici, Ente, Incarico

DEMO_PASSWORD = "Visconteo-Demo-2025"
DEMO_USERS = [
    # username, first name, last name, role, ISTAT code of the Comune (operators)
    ("ufficio.piano", "Giulia", "Ferrari", Ruolo.UFFICIO_PIANO, None),
    ("operatore.rozzano", "Marco", "Colombo", Ruolo.OPERATORE, "015189"),
    ("operatore.binasco", "Laura", "Bianchi", Ruolo.OPERATORE, "015024"),
    ("revisore", "Paolo", "Ricci", Ruolo.REVISORE, None),
    ("regione.lombardia", "Elena", "Galli", Ruolo.REGIONE, None),
]
# The Django admin (/admin/) needs a superuser: it sees every Ambito and holds no role.
DEMO_SUPERUSER = ("amministratore", "Anna", "Conti")

FIXTURE = settings.BASE_DIR / "fixtures" / "ambito" / "visconteo.yaml"
CODICE_AMBITO = "visconteo-sud-milano"


def read_yaml(path):
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def carica(stdout):
    data = read_yaml(FIXTURE)
    spec = data["ambito"]
    ambito, _ = Ambito.objects.update_or_create(
        codice=spec["codice"], defaults={"nome": spec["nome"], "regione": spec["regione"]}
    )
    righe = 0
    for item in data["comuni"]:
        comune, _ = Comune.objects.update_or_create(
            codice_istat=item["codice_istat"],
            defaults={
                "nome": item["nome"],
                "sigla_provincia": item["sigla_provincia"],
                "ambito": ambito,
            },
        )
        for dati in item["dati"]:
            values = {k: v for k, v in dati.items() if k != "anno"}
            if "componenti_medi" in values:
                values["componenti_medi"] = Decimal(values["componenti_medi"])
            DatiDemografici.objects.update_or_create(
                comune=comune, anno=dati["anno"], defaults=values
            )
            righe += 1
    for item in data["enti"]:
        comune = Comune.objects.get(codice_istat=item["comune"]) if "comune" in item else None
        Ente.objects.update_or_create(
            ambito=ambito,
            nome=item["nome"],
            defaults={"tipo": item["tipo"], "comune": comune},
        )
    ambito.ente_capofila = Ente.objects.get(ambito=ambito, nome=spec["ente_capofila"])
    ambito.save(update_fields=["ente_capofila"])
    stdout.write(
        f"Territorio: {ambito.nome}, {len(data['comuni'])} Comuni, "
        f"{righe} righe di dati demografici, {len(data['enti'])} enti."
    )


def crea_utenti_demo(stdout):
    """One demo user per role in Ambito Visconteo and a superuser for the admin (local use,
    browser tests); run only with DEBUG on (see carica_dati)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    ambito = Ambito.objects.get(codice=CODICE_AMBITO)
    stdout.write("\nUtenti dimostrativi (password uguale per tutti):")
    for username, first, last, ruolo, istat in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        comune = Comune.objects.get(codice_istat=istat) if istat else None
        Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=ruolo, comune=comune)
        stdout.write(f"  {username:<20} password: {DEMO_PASSWORD}   ({ruolo.label})")
    username, first, last = DEMO_SUPERUSER
    if not user_model.objects.filter(username=username).exists():
        user_model.objects.create_superuser(
            username, email="", password=DEMO_PASSWORD, first_name=first, last_name=last
        )
    stdout.write(
        f"  {username:<20} password: {DEMO_PASSWORD}   "
        "(superutente, per l'amministrazione su /admin/)"
    )
