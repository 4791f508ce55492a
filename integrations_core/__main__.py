"""``python -m integrations_core``: the command line (see :mod:`integrations_core.cli`)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
