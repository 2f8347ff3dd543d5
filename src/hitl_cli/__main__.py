"""python -m hitl_cli: the hitl command."""

import sys

from . import main

sys.exit(main())
