"""IPython startup file of the notebook kernels ``across_runs.py`` starts (never a learner's).

``across_runs.py`` copies it into the kernels' IPython profile (``IPYTHONDIR``), so it runs
before the notebook's first cell:

- ``CNNCOURSE_SEED=k`` moves every seed the notebook sets by ``k`` (``torch.manual_seed``,
  ``random.seed``, ``numpy.random.seed``: the setup cell's ``start(seed=0)``, ``fit(seed=...)``
  and a cell's own ``torch.manual_seed(0)``), so each run starts from other weights and
  another shuffle;
- ``CNNCOURSE_CLAIMS_LOG=FILE`` appends every ``claim()`` and ``compare()`` to ``FILE`` as one
  JSON line, for the report.
"""

import inspect
import json
import math
import os
import random

import numpy as np
import torch

from cnncourse.course import claims

OFFSET = int(os.environ.get("CNNCOURSE_SEED") or 0)
LOG = os.environ.get("CNNCOURSE_CLAIMS_LOG")


def _shifted(seed_fn):
    def seed(value=None, *args, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value += OFFSET
        return seed_fn(value, *args, **kwargs)

    return seed


def _log(record: dict) -> None:
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


_claim, _compare = claims.claim, claims.compare


def claim(statement, holds, detail=""):
    try:
        _claim(statement, holds, detail)
    except claims.ClaimError:
        _log({"kind": "claim", "statement": statement, "holds": False, "detail": detail})
        raise
    _log({"kind": "claim", "statement": statement, "holds": True, "detail": detail})


def compare(*args, **kwargs):
    verdict = _compare(*args, **kwargs)
    bound = inspect.signature(_compare).bind(*args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    se = math.hypot(claims.standard_error(a["acc_a"], a["n"]),
                    claims.standard_error(a["acc_b"], a["n"]))   # as compare() measures it
    _log({"kind": "compare", "metric": a["metric"], "a": a["name_a"], "acc_a": float(a["acc_a"]),
          "b": a["name_b"], "acc_b": float(a["acc_b"]), "n": a["n"],
          "noise": 2 * max(se, float(a["noise_floor"])), "verdict": verdict})
    return verdict


if LOG:   # before the notebook imports them: `from cnncourse.course.claims import claim`
    claims.claim, claims.compare = claim, compare
if OFFSET:
    for module, name in ((torch, "manual_seed"), (random, "seed"), (np.random, "seed")):
        setattr(module, name, _shifted(getattr(module, name)))
