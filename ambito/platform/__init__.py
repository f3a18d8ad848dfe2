"""The machinery every app of Zonale builds on, apart from the territory domain.

- scoping: `querysets` (ScopedQuerySet, `visible_to` / `editable_by`), `mixins` (the
  base page views) and `api` (the base viewsets, filters, pagination, parsers and
  renderers of the REST API);
- writing: `services` (validate, then save: the one helper every service uses) and
  `forms` (styling, the Italian amount and year fields, scoped choices);
- reading and output: `cache` (Django's cache framework, invalidated by the
  services), `charts` (server-side SVG), `pdf` (WeasyPrint reports and their
  register), `renderers` (form widgets in Python);
- `audit` (the registro delle modifiche), `accesso` (login lockout and permission
  backend), `admin_site`.

The domain (Ambito, Comune, roles, rules) stays in the `ambito` app around it.
"""
