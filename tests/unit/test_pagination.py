"""Page-number pagination: pages cover the list exactly; past the end is PageNotFound."""

import pytest

from billing_mock.domain.errors import PageNotFound
from billing_mock.domain.pagination import paginate


@pytest.mark.parametrize("size", [1, 3, 5, 17, 20, 100])
def test_pages_never_overlap_or_skip(size: int) -> None:
    items = list(range(17))
    pages = (len(items) + size - 1) // size
    joined = [
        item for number in range(1, pages + 1) for item in paginate(items, number, size).items
    ]
    assert joined == items
    with pytest.raises(PageNotFound):
        paginate(items, pages + 1, size)


def test_first_page_of_nothing_is_empty_not_missing() -> None:
    page = paginate([], 1, 20)
    assert (list(page.items), page.count) == ([], 0)
    with pytest.raises(PageNotFound):
        paginate([], 2, 20)
