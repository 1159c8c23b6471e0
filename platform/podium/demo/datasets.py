"""The demo competitions' files, built from datasets scikit-learn ships (nothing is downloaded).

Each dataset is shuffled with a fixed seed and cut 60/40 into train and test; the test rows get a
30/60/10 Public/Private/Ignored split. The demo participants' entries are real models of
different quality, trained on train.csv, so the boards look like a real competition's.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEED = 20240601


@dataclass
class DemoData:
    train: bytes
    test: bytes
    sample_submission: bytes
    solution: bytes
    # (username, description, file contents), in the order they are submitted
    entries: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass
class _Split:
    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    ids_train: np.ndarray
    ids_test: np.ndarray


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode()


def _split(X: pd.DataFrame, y: pd.Series) -> _Split:
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(X))
    X, y = X.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True)
    n_train = round(0.6 * len(X))
    ids = np.arange(1, len(X) + 1)
    return _Split(
        X.iloc[:n_train],
        y.iloc[:n_train],
        X.iloc[n_train:],
        y.iloc[n_train:],
        ids[:n_train],
        ids[n_train:],
    )


def _usage(n: int) -> np.ndarray:
    """Exactly 30% Public, 60% Private, the rest Ignored, shuffled with the fixed seed."""
    n_public, n_private = round(0.3 * n), round(0.6 * n)
    counts = {"Public": n_public, "Private": n_private, "Ignored": n - n_public - n_private}
    usage = np.array([label for label, count in counts.items() for _ in range(count)])
    return np.random.default_rng(SEED + 1).permutation(usage)


def _build(
    s: _Split,
    target: str,
    sample_value,
    entries: list[tuple[str, str, Callable[[], np.ndarray]]],
    fmt: Callable[[np.ndarray], np.ndarray],
) -> DemoData:
    train = s.X_train.copy()
    train.insert(0, "id", s.ids_train)
    train[target] = s.y_train.to_numpy()
    test = s.X_test.copy()
    test.insert(0, "id", s.ids_test)
    n = len(s.ids_test)
    sample = pd.DataFrame({"id": s.ids_test, target: [sample_value] * n})
    solution = pd.DataFrame({"id": s.ids_test, target: s.y_test.to_numpy(), "Usage": _usage(n)})
    with warnings.catch_warnings():  # the simple models' warnings say nothing to an operator
        warnings.simplefilter("ignore")
        made = _predictions(s, target, sample_value, entries, fmt)
    return DemoData(_csv(train), _csv(test), _csv(sample), _csv(solution), made)


def _predictions(s: _Split, target: str, sample_value, entries, fmt) -> list:
    n = len(s.ids_test)
    made = []
    for username, description, predict in entries:
        if predict is None:  # the broken one: no id column, as beginners do
            made.append((username, description, _csv(pd.DataFrame({target: [sample_value] * n}))))
            continue
        frame = pd.DataFrame({"id": s.ids_test, target: fmt(predict())})
        made.append((username, description, _csv(frame)))
    return made


def breast_cancer() -> DemoData:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer(as_frame=True)
    X = data.data.rename(columns=lambda c: c.replace(" ", "_"))
    y = (data.target == 0).astype(int).rename("malignant")  # sklearn: 0 means malignant
    s = _split(X, y)

    def radius() -> np.ndarray:  # bigger nuclei, more likely malignant
        r = s.X_test["mean_radius"].to_numpy()
        return (r - r.min()) / (r.max() - r.min())

    def knn() -> np.ndarray:
        return KNeighborsClassifier(15).fit(s.X_train, s.y_train).predict_proba(s.X_test)[:, 1]

    def logistic() -> np.ndarray:
        means = [c for c in s.X_train.columns if c.startswith("mean_")]
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        return model.fit(s.X_train[means], s.y_train).predict_proba(s.X_test[means])[:, 1]

    entries = [
        ("alice", "First try: the sample submission as it is", lambda: np.full(len(s.y_test), 0.5)),
        ("bob", "Bigger nuclei are more suspicious: mean radius only", radius),
        ("alice", "Forgot the id column", None),
        ("carol", "k-nearest neighbours (k=15), unscaled features", knn),
        ("alice", "Logistic regression on the ten mean_* features, standardized", logistic),
    ]
    return _build(s, "malignant", 0.5, entries, lambda p: np.round(p, 6))


def digits() -> DemoData:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid

    data = load_digits(as_frame=True)
    X = data.data.set_axis([f"pixel_{i}" for i in range(data.data.shape[1])], axis=1)
    y = data.target.rename("label")
    s = _split(X, y)
    rng = np.random.default_rng(SEED + 2)

    def fit_predict(model) -> Callable[[], np.ndarray]:
        # pixels are 0..16: scaled to 0..1 so that the solvers converge quickly
        return lambda: model.fit(s.X_train / 16, s.y_train).predict(s.X_test / 16)

    entries = [
        ("bob", "Guessing at random", lambda: rng.integers(0, 10, len(s.ids_test))),
        ("bob", "Nearest centroid: the mean image of each digit", fit_predict(NearestCentroid())),
        (
            "carol",
            "Logistic regression on the 64 pixels",
            fit_predict(LogisticRegression(C=0.1, max_iter=1000)),
        ),
        ("alice", "k-nearest neighbours, k=3", fit_predict(KNeighborsClassifier(3))),
    ]
    return _build(s, "label", 0, entries, lambda p: p.astype(int))


DIABETES_COLUMNS = {
    "s1": "total_cholesterol",
    "s2": "ldl",
    "s3": "hdl",
    "s4": "cholesterol_hdl_ratio",
    "s5": "log_triglycerides",
    "s6": "glucose",
    "bp": "blood_pressure",
}


def diabetes() -> DemoData:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression, Ridge

    data = load_diabetes(as_frame=True, scaled=False)
    X = data.data.rename(columns=DIABETES_COLUMNS)
    y = data.target.rename("progression")
    s = _split(X, y)
    mean = float(s.y_train.mean())

    def bmi_only() -> np.ndarray:
        return LinearRegression().fit(s.X_train[["bmi"]], s.y_train).predict(s.X_test[["bmi"]])

    def ridge(alpha: float) -> Callable[[], np.ndarray]:
        return lambda: Ridge(alpha=alpha).fit(s.X_train, s.y_train).predict(s.X_test)

    entries = [
        ("carol", "The training mean for everyone", lambda: np.full(len(s.ids_test), mean)),
        ("bob", "Linear regression on BMI alone", bmi_only),
        ("alice", "Ridge regression on all ten measurements", ridge(1.0)),
        ("alice", "Ridge with much stronger regularization (alpha=1000)", ridge(1000.0)),
    ]
    return _build(s, "progression", round(mean, 1), entries, lambda p: np.round(p, 2))


WINE_CLASSES = ["class_0", "class_1", "class_2"]


def wine() -> DemoData:
    """The finished demo competition: three cultivars, scored with the multiclass log loss.

    Its 21 public rows are few, so the private board reorders the teams: a model the public
    board ranked last wins, the public leader slips (see ``FINALS`` for who selected what).
    """
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    data = load_wine(as_frame=True)
    X = data.data.rename(columns=lambda c: c.replace("/", "_"))
    s = _split(X, data.target.rename("cultivar"))
    n = len(s.ids_test)

    def fitted(model, columns: list[str] | None = None) -> Callable[[], np.ndarray]:
        cols = columns or list(s.X_train.columns)
        return lambda: model.fit(s.X_train[cols], s.y_train).predict_proba(s.X_test[cols])

    def scaled_logistic(c: float = 1.0) -> LogisticRegression:
        return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))

    def class_shares() -> np.ndarray:
        counts = np.bincount(s.y_train, minlength=3)
        return np.tile(counts / counts.sum(), (n, 1))

    entries = [
        ("erin", "The class shares of train.csv for every wine", class_shares),
        (
            "alice",
            "Logistic regression, strongly regularized (C=0.01)",
            fitted(scaled_logistic(0.01)),
        ),
        (
            "bob",
            "k-nearest neighbours (k=5) on the raw measurements",
            fitted(KNeighborsClassifier(5)),
        ),
        ("carol", "Random forest, 10 trees", fitted(RandomForestClassifier(10, random_state=1))),
        (
            "dave",
            "A decision tree of depth 3",
            fitted(DecisionTreeClassifier(max_depth=3, random_state=0)),
        ),
        (
            "erin",
            "Logistic regression on alcohol, flavanoids and colour intensity",
            fitted(scaled_logistic(), ["alcohol", "flavanoids", "color_intensity"]),
        ),
        (
            "alice",
            "Logistic regression on all 13 measurements, standardized",
            fitted(scaled_logistic()),
        ),
        (
            "bob",
            "k-nearest neighbours (k=5), standardized",
            fitted(make_pipeline(StandardScaler(), KNeighborsClassifier(5))),
        ),
        ("carol", "Random forest, 50 trees", fitted(RandomForestClassifier(50, random_state=0))),
        ("dave", "Gaussian naive Bayes: my cross-validation liked it", fitted(GaussianNB())),
    ]
    onehot = np.eye(3, dtype=int)[s.y_test.to_numpy()]
    test = s.X_test.copy()
    test.insert(0, "id", s.ids_test)
    train = s.X_train.copy()
    train.insert(0, "id", s.ids_train)
    train["cultivar"] = s.y_train.to_numpy()
    sample = pd.DataFrame({"id": s.ids_test, **{c: [round(1 / 3, 4)] * n for c in WINE_CLASSES}})
    solution = pd.DataFrame({"id": s.ids_test, **dict(zip(WINE_CLASSES, onehot.T, strict=True))})
    solution["Usage"] = _usage(n)
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for username, description, predict in entries:
            # a careful team never says 0 or 1: one confident mistake would cost it dearly
            p = np.round(np.clip(predict(), 0.01, 0.99), 4)
            frame = pd.DataFrame({"id": s.ids_test, **dict(zip(WINE_CLASSES, p.T, strict=True))})
            made.append((username, description, _csv(frame)))
    return DemoData(_csv(train), _csv(test), _csv(sample), _csv(solution), made)


# Who selected what for the private board of the finished competition (by description); bob
# selected nothing, so his two best public entries count (Kaggle's rule).
FINALS = {
    "alice": ["Logistic regression on all 13 measurements, standardized"],
    "carol": ["Random forest, 10 trees", "Random forest, 50 trees"],
    "dave": ["Gaussian naive Bayes: my cross-validation liked it", "A decision tree of depth 3"],
    "erin": ["Logistic regression on alcohol, flavanoids and colour intensity"],
}
