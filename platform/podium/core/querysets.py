"""Query helpers shared by the apps' selectors."""

from __future__ import annotations

from django.db.models import Count, IntegerField, Model, OuterRef, Subquery


def related_count(model: type[Model], relation: str) -> Subquery:
    """Count of ``relation`` per row as a correlated subquery.

    Two plain ``Count`` annotations over different relations would join both and multiply the
    rows (teams x submissions); one subquery per count keeps each count a single indexed join.
    The relation is named as a string, so no model of a higher app is imported.
    """
    counted = (
        model.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")
        .annotate(n=Count(relation))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())
