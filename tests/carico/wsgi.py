"""WSGI entry for `make carico`: this checkout's apps, then the project's application."""

import solo_worktree  # noqa: F401

from ambito.wsgi import application  # noqa: E402, F401
