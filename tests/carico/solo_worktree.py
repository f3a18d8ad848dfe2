"""Import this checkout's apps only, even when the shared virtualenv holds an editable
install of another checkout (its finder would resolve e.g. `fondi.admin` there)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in (f.__module__ or "")]
sys.path.insert(0, str(ROOT))
