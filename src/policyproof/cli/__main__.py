"""``python -m policyproof.cli``: the same as the ``policyproof`` command."""

import sys

from policyproof.cli import main

sys.exit(main())
