"""One page shape for every list: ``{"count", "next", "previous", "results"}``; ``?page=N`` and
``?page_size=M`` (at most 1,000)."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_number(self, request, paginator):
        """Refuse an empty or repeated ``page`` (DRF reads an empty one as page 1); a page that
        is not a number or past the end stays DRF's 404 "Invalid page"."""
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1 or (values and not values[0].strip()):
            raise ValidationError({"page": ["Must be one whole number from 1."]})
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        """Refuse a page size that is not a whole number from 1 (DRF ignores it silently)."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        try:
            size = int(values[-1])
        except ValueError:
            size = 0
        if len(values) > 1 or size < 1:
            raise ValidationError(
                {"page_size": [f"Must be one whole number from 1 to {self.max_page_size}."]}
            )
        return min(size, self.max_page_size)


class LazySequence:
    """A list whose slices come from a selector taking ``offset``/``limit`` (the boards), so the
    paginator runs one page's query and one count, never the whole board."""

    def __init__(self, count, fetch) -> None:
        self._count, self._fetch = count, fetch

    def __len__(self) -> int:
        return self._count()

    def count(self) -> int:
        return self._count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("LazySequence only slices")
        start = index.start or 0
        return self._fetch(offset=start, limit=max(0, (index.stop or start) - start))
