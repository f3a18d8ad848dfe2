"""The audit trail (registro delle modifiche): who changed what, when, old -> new.

Generic on purpose: every model that has a django-simple-history `history`, in any
app and also in apps added later, is found through the app registry and shows up
here without any code of its own.

Visibility is the live model's scoping applied to its history table: historical rows
carry the same fields and foreign keys as the live rows, so the model's
`scope_ambito` / `scope_comune` paths (ambito/platform/querysets.py) filter them with the same
rules, and the history of a deleted record stays visible to whoever could see it.
National reference data (models without scoping) is visible to every user who may
read the trail. Only the Ufficio di Piano and the Revisori read it (and superusers);
nobody writes it: these pages answer GET only, and in the admin the history form
refuses POST (`admin_storico_in_sola_lettura`).
"""
