"""One rule for capping long lists of findings, shared by the terminal table and the HTML/PDF report (``--max-rows``)."""

from __future__ import annotations

from typing import Sequence


def deal(sizes: Sequence[int], max_rows: int) -> list[int]:
    """How many rows of each list to show so that at most ``max_rows`` are shown in all (0: every row).

    The rows are dealt one per list in turn (whole rounds at a time): a cap
    that took the first rows would show the first check's findings and none
    of the others'.  With
    more lists than rows, the first ``max_rows`` lists get one row each.
    """
    if max_rows <= 0:
        return list(sizes)
    take = [0] * len(sizes)
    left = max_rows
    while left:
        active = [i for i, size in enumerate(sizes) if take[i] < size]
        if not active:
            break
        if len(active) > left:
            for i in active[:left]:
                take[i] += 1
            break
        each = min(left // len(active), min(sizes[i] - take[i] for i in active))
        for i in active:
            take[i] += each
        left -= each * len(active)
    return take
