"""The one clock of site-builder: ``SOURCE_DATE_EPOCH`` when it is set.

Nothing a build publishes takes its date from the clock (feeds, sitemaps, open data, boards and
PDFs use dates from the content). Where a date that is not from content is needed — the privacy
guard's "born in the future" test, the date ``site-builder new`` writes into a new file — it comes
from :func:`today`, so that a run with the same ``SOURCE_DATE_EPOCH`` gives the same result
(https://reproducible-builds.org/specs/source-date-epoch/).
"""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The UTC day of ``SOURCE_DATE_EPOCH`` when it is set to a number of seconds, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()
