"""The data import tests build their fake dataset files with the helpers of the learner
package's data tests (``tests/unit/test_data.py``): that folder goes on ``sys.path``, as pytest
puts it there for the tests inside it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))
