"""What the demo competitions say about themselves: the organizer's Markdown pages."""

from __future__ import annotations

RULES_COMMON = """
## Entry

- One account per person. Everyone joins in a team of their own; teams can merge until the
  merger deadline if the merged team fits the size and submission limits.
- Accepting these rules is what gives you the data and the Submit page.

## Submissions

- **{daily} submissions per team per day.** The count resets at 00:00 UTC. A submission refused
  by the file checks (header, ids, values) does not count, up to 20 such refusals a day; one that
  fails while it is being scored counts like any other.
- You may select up to **{finals} final submissions**. If you select none, your best public ones
  are used.
- The public leaderboard is scored on about 30% of the test rows. The final standing is decided
  on the other rows, which nobody sees until the end: do not overfit the public board.

## Data

- The data comes from the scikit-learn distribution and may be used for this competition only.
- Hand-labelling the test set is not allowed. Sharing code or data outside your team is allowed
  only where every participant can see it.

## Winners

Ties go to the team that submitted its best score first.
"""

BREAST_CANCER = {
    "overview": """
Every year, fine-needle aspirates of breast masses are read under a microscope to decide whether
a tumour is **malignant** or **benign**. Each sample in this competition was digitized and ten
properties of the cell nuclei in the image were measured: radius, texture, perimeter, area,
smoothness, compactness, concavity, concave points, symmetry and fractal dimension. For each one
the data has the mean, the standard error and the "worst" (mean of the three largest values) over
the nuclei in the image: 30 measurements per sample.

**Your task:** predict, for every sample of the test set, how likely it is that the tumour is
malignant.

The data is the Wisconsin Diagnostic Breast Cancer dataset (W. N. Street, W. H. Wolberg and
O. L. Mangasarian, 1993), as shipped with scikit-learn.

### Timeline

- The competition is open for a month; joining closes a week before the end.
- The private leaderboard is revealed at the deadline.
""",
    "evaluation": """
Submissions are scored on the **area under the ROC curve** (AUC) between your predicted values
and the observed diagnosis (1 = malignant, 0 = benign). Only the ranking of your values matters:
they need not be probabilities, but they must be numbers between 0 and 1.

An AUC of 0.5 is no better than chance; 1.0 ranks every malignant tumour above every benign one.

### Submission file

For every `id` of `test.csv`, one row with your prediction in the column `malignant`, with a
header line:

```
id,malignant
342,0.07
343,0.93
...
```

`sample_submission.csv` has the right format (every prediction 0.5, which scores 0.5).
""",
    "data": """
### Columns

- `id`: the sample's identifier.
- `mean_*`, `*_error`, `worst_*`: the mean, standard error and largest values of each of the
  ten nucleus properties (`radius`, `texture`, `perimeter`, `area`, `smoothness`,
  `compactness`, `concavity`, `concave_points`, `symmetry`, `fractal_dimension`).
- `malignant` (train only): 1 if the tumour was malignant, 0 if benign.
""",
}

DIGITS = {
    "overview": """
The classic of machine learning: recognize **handwritten digits**. 43 people wrote digits that
were scanned, split into 4x4 blocks and counted, giving an **8x8 image** of each digit where every
pixel is a whole number from 0 (white) to 16 (black).

**Your task:** say which digit, 0 to 9, each image of the test set shows.

This is the UCI "Optical Recognition of Handwritten Digits" dataset (E. Alpaydin and C. Kaynak,
1998) as shipped with scikit-learn. It is small enough to train on a laptop in seconds, which
makes it a good place to try ideas: nearest neighbours, linear models, small neural networks.
""",
    "evaluation": """
Submissions are scored on **accuracy**: the fraction of test images whose digit you predicted
correctly.

### Submission file

For every `id` of `test.csv`, one row with the digit you predict in the column `label`:

```
id,label
1079,3
1080,7
...
```

`sample_submission.csv` predicts 0 everywhere (about 10% accuracy).
""",
    "data": """
### Columns

- `id`: the image's identifier.
- `pixel_0` ... `pixel_63`: the 64 pixels, row by row (`pixel_0` is the top-left corner,
  `pixel_7` the top-right, `pixel_63` the bottom-right), each from 0 to 16.
- `label` (train only): the digit, 0 to 9.

To look at an image, reshape a row's 64 pixels to 8x8:
`row[1:65].to_numpy().reshape(8, 8)`.
""",
}

DIABETES = {
    "overview": """
Ten baseline measurements were taken of 442 diabetes patients: age, sex, body mass index,
average blood pressure and six blood serum measurements. One year later, a quantitative measure
of how far the disease had progressed was recorded.

**Your task:** predict that measure of **disease progression** for the patients of the test set.

The data comes from B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least Angle
Regression" (Annals of Statistics, 2004), as shipped with scikit-learn (in its original units).
""",
    "evaluation": """
Submissions are scored on the **root mean squared error** (RMSE) between your predictions
ŷ and the observed progression y, over the patients of the test set; lower is better:

```
RMSE = sqrt( mean( (y - ŷ)² ) )
```

Predicting the training mean for everyone scores about 74; a good model gets well below 60.

### Submission file

For every `id` of `test.csv`, one row with your prediction in the column `progression`:

```
id,progression
266,151.2
267,98.0
...
```
""",
    "data": """
### Columns

- `id`: the patient's identifier.
- `age` (years), `sex` (1 or 2), `bmi` (body mass index), `blood_pressure` (mean arterial
  pressure).
- Blood serum: `total_cholesterol`, `ldl` (low-density lipoproteins), `hdl` (high-density
  lipoproteins), `cholesterol_hdl_ratio`, `log_triglycerides`, `glucose` (blood sugar).
- `progression` (train only): the disease progression one year after baseline.
""",
}


def rules(*, daily: int, finals: int) -> str:
    return RULES_COMMON.format(daily=daily, finals=finals).strip()


WINE = {
    "overview": """
Three cultivars of grape grow in the same region of Italy, and a chemist can tell their wines
apart. Thirteen quantities were measured in each of 178 wines: alcohol, malic acid, ash and its
alkalinity, magnesium, total phenols, flavanoids, non-flavanoid phenols, proanthocyanins, colour
intensity, hue, the OD280/OD315 ratio of diluted wines, and proline. **Which cultivar made each
wine?**

This competition has ended and its private leaderboard is revealed: compare it with the public
one to see how far a board scored on 21 wines can mislead.

The data is the UCI Wine dataset (M. Forina et al., PARVUS, 1988), as shipped with scikit-learn.
""",
    "evaluation": """
Submissions are scored on the **multiclass log loss**: for each wine, the probability you gave
its true cultivar, as

```
log loss = - mean( log( p[true cultivar] ) )
```

Each row is first divided by its sum, then probabilities are clipped to [1e-15, 1 - 1e-15].
Lower is better; predicting the class shares for every wine scores about 1.1. A confident
mistake costs a lot: never say 0.

## Submission format

For every `id` of `test.csv`, one row with a probability for each cultivar:

```
id,class_0,class_1,class_2
4,0.9,0.05,0.05
...
```
""",
    "data": """
The measurements: `alcohol`, `malic_acid`, `ash`, `alcalinity_of_ash`, `magnesium`,
`total_phenols`, `flavanoids`, `nonflavanoid_phenols`, `proanthocyanins`, `color_intensity`,
`hue`, `od280_od315_of_diluted_wines`, `proline`.
""",
}
