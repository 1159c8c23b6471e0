"""What an organizer's metric file finds around it when it runs (in the sandbox, and offline).

Each module here is copied on its own into the sandbox's code folder, so none of them imports
``scoring`` (nor anything of ours): the standard library, numpy, pandas and pyarrow only.

* ``runner.py``: the trusted script the sandbox starts; it loads the metric file, calls its
  ``score`` once per board and writes ``result.json``.
* ``kaggle_metric_utilities.py``: Kaggle's helper module of that name, written from its
  documented behaviour, so that Kaggle's published metric files run unmodified.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "runner.py"
KAGGLE_METRIC_UTILITIES = HERE / "kaggle_metric_utilities.py"
