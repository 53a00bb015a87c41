"""``podpub check`` as publish sees it: every refusal, the ledger's included.

The rules stage (``rules/checker.py``) knows the descriptors and the feed; what the last
publish gave subscribers lives in the ledger (``ledger.py``), one stage up. A CI job that
runs ``podpub check`` must go red on everything ``publish`` would then refuse: a deleted
or renamed episode, a changed GUID. So the check of a show is the rules' report plus
the ledger's comparison, with the very problems ``publish`` raises.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from podpub.context import BuildContext
from podpub.errors import PodpubError
from podpub.rules.checker import CheckReport, check_show
from podpub.rules.engine import finding_order
from podpub.write.ledger import compare
from podpub.write.publish import PublishOptions, uses_ledger


def check_publishable(
    show_dir: Path, options: PublishOptions, run: BuildContext | None = None
) -> CheckReport:
    """The rules' report of the show, plus what the ledger comparison would refuse.

    ``run``: the build context (cache, worker processes) of a command-line run."""
    report = check_show(show_dir, options, run)
    if report.site is None or report.errors or not uses_ledger(options):
        return report  # publish stops before the ledger: so does the check
    try:
        diff = compare(show_dir, report.site, options.remove, options.reissue_guid, run)
        problems = diff.problems
    except PodpubError as exc:  # a damaged ledger: publish refuses it too
        problems = tuple(exc.problems)
    if not problems:
        return report
    everything = tuple(sorted([*report.problems, *problems], key=finding_order))
    return replace(report, problems=everything)
