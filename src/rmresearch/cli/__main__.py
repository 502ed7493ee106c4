"""``python -m rmresearch.cli``: the same as the ``rmresearch`` command."""

import sys

from . import main

sys.exit(main())
