"""``python -m cnncourse``: the same as the ``cnncourse`` command."""

from cnncourse.cli import main

raise SystemExit(main())
