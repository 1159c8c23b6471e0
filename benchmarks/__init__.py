"""``make bench`` (``python -m benchmarks``): the scoring engine against the plain way and a floor.

Each case is a binary ROC AUC competition (solution ``id,target,Usage``; ~30% Public, ~60%
Private, ~10% Ignored; submission ``id,target`` in another random row order, probabilities with
six decimals). Three ways of scoring it are timed, each repetition in its own fresh process:

* podium: ``score_submission(load_solution(...), path)``; the solution is prepared beforehand.
* naive: two ``pandas.read_csv``, a ``merge`` on id, ``sklearn.metrics.roc_auc_score`` per board.
* floor: ``pyarrow.csv.read_csv`` of the submission with its types given, plus an exact numpy AUC
  on labels stored beforehand in the submission's row order (alignment for free).

Modules: ``cases`` (what is measured, where the data lives), ``generate`` (the data, made once),
``timed_runs`` (the code each child process times), ``numpy_auc`` (the floor's AUC), ``runner``
(children, best of three), ``summaries`` (the runs as numbers), ``targets`` (PASS or MISS),
``report`` (the tables, the JSON), ``cli`` (the command line).

Then the platform cases (``platform_cases``), each in a child process: ``platform_board``
(leaderboard selectors with 10,000 teams and 1,000,000 submissions in a throwaway PostgreSQL
database; needs DATABASE_URL) and ``platform_worker`` (one real Celery worker process scoring
1,000 queued 10,000-row submissions, on the embedded defaults and on PostgreSQL + Redis when
DATABASE_URL and CELERY_BROKER_URL name them), and ``platform_custom_metric`` (an organizer's
metric file in the sandbox against the same metric built in: the overhead per submission).
Missing services: "skipped: ...", not a failure.
"""
