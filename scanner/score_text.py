"""How a score, a coverage or any share reads for a person: one rule for every output.

The table, the Markdown summary, the HTML/PDF report and the ``--fail-under``
gate message all print shares of controls; when one said "14.3%" and another
"14%" for the same scan, a reader had to wonder which was right.  So there is
one rule, here:

* a whole percent, the nearest one, a tie rounded *down* (a score never reads
  higher than it is);
* never ``100%`` unless the share is exactly 1 (everything assessed passed),
  and never ``0%`` unless it is exactly 0: 99.6% reads ``99%`` while something
  failed, 0.3% reads ``1%`` while something passed;
* ``None`` (nothing to divide by: no control assessed) reads ``n/a``.

The gate compares this same whole number with ``--fail-under``, so the
message can never say "80% < 80%".

Shares are ratios of small counts, so the float is turned back into the exact
fraction first: ``0.145 * 100`` is 14.499999... in binary and must not decide
a tie differently from 29/200.
"""

from __future__ import annotations

NO_SCORE = "n/a"


def whole_percent(share: float) -> int:
    """``share`` (0..1) as the whole percent every output shows (see the module's rule)."""
    if share <= 0:
        return 0
    if share >= 1:
        return 100
    # Imported here: fractions (and decimal, which it loads) were 10 M instructions of
    # every start-up, and a JSON scan shows no percentage (issue 16).
    from fractions import Fraction

    exact = Fraction(share).limit_denominator(1_000_000) * 100
    whole = int(exact)  # floor: exact is positive
    if exact - whole > Fraction(1, 2):
        whole += 1
    return min(max(whole, 1), 99)


def percent_text(share: float | None, none: str = NO_SCORE) -> str:
    """``share`` as text: ``"14%"``; ``none`` when there is no share to show."""
    return none if share is None else f"{whole_percent(share)}%"


def threshold_text(percent: float) -> str:
    """A threshold the user typed (``--fail-under soc2=92.5``) as they typed it: ``92.5%``."""
    return f"{percent:g}%"
