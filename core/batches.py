"""Work in bounded pieces: lists of ids in a query, rows in an insert, whatever the total."""

from collections.abc import Iterable, Iterator
from itertools import islice


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of `size` items (the last one shorter), as itertools.batched does from 3.12."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# Ids passed in one query's IN (...): far below SQLite's variable limit (32,766, or 999 on old
# builds), and a plan PostgreSQL makes quickly.
IDS_PER_QUERY = 500
