"""CI guard, loaded by a .pth file into the fresh clone's venv (see .ci/run).

Every file a Python process opens must lie inside the clone, its temporary HOME, the
reused virtualenv or the system: anything in the folder around the clone, in the
original checkout or beside it is refused (PermissionError) and written to the log
that .ci/run reads afterwards, so that even a caller that swallows the error fails CI.
Longest matching root wins: the reused venv inside the checkout stays readable.
"""

import os
import sys


def _roots(name):
    return [os.path.realpath(p) for p in os.environ.get(name, "").split(os.pathsep) if p]


ALLOW = _roots("ZONALE_CI_ALLOW") + [os.path.realpath(sys.base_prefix)]
DENY = _roots("ZONALE_CI_DENY")
LOG_PATH = os.environ.get("ZONALE_CI_LOG")


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def allowed(path):
    best = max((r for r in ALLOW + DENY if _inside(path, r)), key=len, default=None)
    return best is not None and best in ALLOW


def guard(event, args):
    if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return  # file descriptors and anonymous files
    path = os.path.realpath(os.fsdecode(args[0]))
    if not allowed(path):
        os.write(LOG, f"{path}\n".encode())
        raise PermissionError(f"CI: {path} is outside the clone of the repository")


if DENY and LOG_PATH:  # set by .ci/run for the clone's run only
    LOG = os.open(LOG_PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sys.addaudithook(guard)
