"""The feed rules of podcast-feed-rules.md §10, as ``podpub check`` and ``publish`` run them.

``engine`` runs the rules and turns their hits into located findings; ``document``,
``rss``, ``apple`` and ``podcast20`` hold the rules; ``locate`` says where a finding
points; ``resources`` reads the files a feed points at.
"""

from podpub.rules.engine import RULES, FeedContext, FeedPage, Finding, Hit, Resource
from podpub.rules.run import run_rules

__all__ = ["RULES", "FeedContext", "FeedPage", "Finding", "Hit", "Resource", "run_rules"]
