"""Name suggestions for error messages (bottom layer: imports nothing of convlab)."""

from __future__ import annotations

import difflib
from typing import Any


def closest(name: str, choices: Any) -> str:
    """' (did you mean X?)' for the closest of ``choices``, or ''."""
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""
