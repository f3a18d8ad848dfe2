from .roles import ruoli


def ambito_corrente(request):
    """The Ambiti and role of the user, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    r = ruoli(user)
    return {"ruoli": r, "ambiti_utente": r.ambiti}
