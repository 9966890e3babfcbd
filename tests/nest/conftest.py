"""Make the protocol driver importable by the NEST-model tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
