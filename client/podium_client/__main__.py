"""``python -m podium_client`` is ``podium``."""

import sys

from podium_client.cli import main

sys.exit(main())
