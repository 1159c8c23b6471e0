"""Demo competitions (scikit-learn's datasets, as the demo seeds them) for kernel tests."""

from __future__ import annotations

from datetime import timedelta

import yaml
from django.core.files.base import ContentFile

from podium.competitions.services import data_file_create, solution_version_create
from podium.core.timeutils import now
from podium.kernels.selectors import baseline_config_text
from tests.podium.factories import CompetitionFactory, organizer

DEMOS = {  # dataset -> metric, bundled config
    "breast_cancer": ("roc_auc", "breast_cancer_mlp"),
    "diabetes": ("rmse", "diabetes_mlp"),
    "digits": ("accuracy", "digits_cnn"),
}
_CACHE: dict = {}


def demo_competition(dataset: str, **kwargs):
    from podium.demo import datasets

    if dataset not in _CACHE:
        _CACHE[dataset] = getattr(datasets, dataset)()
    made = _CACHE[dataset]
    metric, config = DEMOS[dataset]
    competition = CompetitionFactory(
        metric=metric,
        start_at=now() - timedelta(days=1),
        end_at=now() + timedelta(days=30),
        **kwargs,
    )
    for name, kind in (
        ("sample_submission.csv", "sample_submission"),
        ("train.csv", "train"),
        ("test.csv", "test"),
    ):
        data_file_create(
            competition=competition,
            kind=kind,
            name=name,
            file=ContentFile(getattr(made, name.removesuffix(".csv")), name=name),
        )
    solution_version_create(
        competition=competition, file=ContentFile(made.solution, name="solution.csv")
    )
    competition.config_name = config
    return competition, organizer(competition)


def small_config(name: str, **overrides) -> str:
    values = yaml.safe_load(baseline_config_text(name))
    values.update({"epochs": 2, "threads": 1, **overrides})
    return yaml.safe_dump(values)


def constant_private_score(competition, tmp_path) -> float:
    """The private score of the sample submission with the training mean / majority class."""
    import pandas as pd

    import scoring
    from podium.competitions.answer_keys import prepared_solution
    from podium.competitions.selectors import active_solution

    files = {f.name: f for f in competition.data_files.all()}
    with files["sample_submission.csv"].file.open("rb") as handle:
        sample = pd.read_csv(handle)
    with files["train.csv"].file.open("rb") as handle:
        train = pd.read_csv(handle)
    column = sample.columns[1]
    if competition.metric == "rmse":
        sample[column] = train[column].mean()
    elif competition.metric == "accuracy":
        sample[column] = train[column].mode()[0]
    path = tmp_path / "constant.csv"
    sample.to_csv(path, index=False)
    solution = prepared_solution(active_solution(competition))
    return scoring.score_submission(solution, path).private_score
