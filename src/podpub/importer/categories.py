"""Feed categories → Apple's current list (input/taxonomy.py).

Apple renamed and regrouped its categories in 2019; feeds written before keep the old
names ("Games & Hobbies", "Science & Medicine", "Technology > Podcasting" …). Each old name
maps to the category that took its shows, per Apple's announcement of the new list
(podcasters.apple.com, "Podcast categories", and the 2019 change notes); any other unknown
name goes to the nearest current category by spelling, and says so.
"""

from __future__ import annotations

import difflib

from podpub.input.taxonomy import APPLE_CATEGORIES, category_pairs

# Old (before 2019) "Parent" or "Parent > Sub" → current "Parent" or "Parent > Sub".
OLD_CATEGORIES: dict[str, str] = {
    "Arts > Literature": "Arts > Books",
    "Business > Business News": "News > Business News",
    "Business > Management & Marketing": "Business > Management",
    "Business > Shopping": "Business",
    "Education > Educational Technology": "Education",
    "Education > Higher Education": "Education > Courses",
    "Education > K-12": "Education",
    "Education > Language Courses": "Education > Language Learning",
    "Education > Training": "Education > How To",
    "Games & Hobbies": "Leisure",
    "Games & Hobbies > Automotive": "Leisure > Automotive",
    "Games & Hobbies > Aviation": "Leisure > Aviation",
    "Games & Hobbies > Hobbies": "Leisure > Hobbies",
    "Games & Hobbies > Other Games": "Leisure > Games",
    "Games & Hobbies > Video Games": "Leisure > Video Games",
    "Government & Organizations": "Government",
    "Government & Organizations > Local": "Government",
    "Government & Organizations > National": "Government",
    "Government & Organizations > Non-Profit": "Business > Non-Profit",
    "Government & Organizations > Regional": "Government",
    "Health": "Health & Fitness",
    "Health > Alternative Health": "Health & Fitness > Alternative Health",
    "Health > Fitness & Nutrition": "Health & Fitness > Fitness",
    "Health > Self-Help": "Education > Self-Improvement",
    "Health > Sexuality": "Health & Fitness > Sexuality",
    "News & Politics": "News > Politics",
    "Religion & Spirituality > Other": "Religion & Spirituality",
    "Science & Medicine": "Science",
    "Science & Medicine > Medicine": "Health & Fitness > Medicine",
    "Science & Medicine > Natural Sciences": "Science > Natural Sciences",
    "Science & Medicine > Social Sciences": "Science > Social Sciences",
    "Society & Culture > History": "History",
    "Sports & Recreation": "Sports",
    "Sports & Recreation > Amateur": "Sports",
    "Sports & Recreation > College & High School": "Sports",
    "Sports & Recreation > Outdoor": "Sports > Wilderness",
    "Sports & Recreation > Professional": "Sports",
    "Technology > Gadgets": "Technology",
    "Technology > Podcasting": "Technology",
    "Technology > Software How-To": "Technology",
    "Technology > Tech News": "News > Tech News",
}


def current_category(parent: str, sub: str | None) -> tuple[str, str]:
    """The current category for a feed's (parent, sub), and how it was found:
    "" (already current), "renamed" (an old name), or "nearest" (a guess by spelling)."""
    parent = parent.strip().replace("&amp;", "&")
    sub = sub.strip().replace("&amp;", "&") if sub else None
    if parent in APPLE_CATEGORIES and (sub is None or sub in APPLE_CATEGORIES[parent]):
        return (f"{parent} > {sub}" if sub else parent), ""
    name = f"{parent} > {sub}" if sub else parent
    if name in OLD_CATEGORIES:
        return OLD_CATEGORIES[name], "renamed"
    if sub is not None and parent in APPLE_CATEGORIES:
        return parent, "nearest"  # the parent is current, the subcategory is not
    if parent in OLD_CATEGORIES:
        return OLD_CATEGORIES[parent], "renamed"
    choices = category_pairs()
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.0)
    return close[0], "nearest"
