"""The fixed vocabularies of the field: Apple's categories and the podcast:person taxonomy
(and the namespace's license identifiers and geo URI form).

Copied from ``shared/reference/taxonomies.json`` (Apple Podcasts category list, 19 top-level
and 91 subcategories; the Podcast Taxonomy Project's ``taxonomy.json`` from
podcastindex-org/podcast-namespace), see podcast-feed-rules.md sections 3.6 and 5.5.
Values are exact and case-sensitive for Apple; person roles and groups are matched
case-insensitively and written in lower case, as the namespace's examples do.

The words producers write in their credits (« Montage », "Edited by") are mapped to these
roles by ``wordings.py``, from one data file per language in ``roles/``; a show adds its
own with ``role_aliases`` in show.yaml.
"""

from __future__ import annotations

from types import MappingProxyType

APPLE_CATEGORIES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
        "Business": (
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ),
        "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
        "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
        "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
        "Government": (),
        "History": (),
        "Health & Fitness": (
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ),
        "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
        "Leisure": (
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ),
        "Music": ("Music Commentary", "Music History", "Music Interviews"),
        "News": (
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ),
        "Religion & Spirituality": (
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ),
        "Science": (
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ),
        "Society & Culture": (
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ),
        "Sports": (
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ),
        "Technology": (),
        "True Crime": (),
        "TV & Film": (
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ),
    }
)

PERSON_GROUPS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "Creative Direction": (
            "Assistant Director",
            "Associate Producer",
            "Creative Director",
            "Development Producer",
            "Director",
            "Executive Producer",
            "Producer",
            "Senior Producer",
        ),
        "Cast": (
            "Announcer",
            "Co-Host",
            "Guest",
            "Guest Host",
            "Host",
            "Narrator",
            "Reporter",
            "Voice Actor",
        ),
        "Writing": (
            "Author",
            "Co-Writer",
            "Editor",
            "Editorial Director",
            "Fact Checker",
            "Guest Writer",
            "Logger",
            "Managing Editor",
            "Researcher",
            "Script Coordinator",
            "Script Editor",
            "Songwriter",
            "Story Editor",
            "Transcriber",
            "Translator",
            "Writer",
        ),
        "Audio Production": (
            "Audio Engineer",
            "Post Production Engineer",
            "Remote Recording Engineer",
            "Studio Coordinator",
            "Technical Director",
            "Technical Manager",
        ),
        "Audio Post-Production": (
            "Audio Editor",
            "Composer",
            "Foley Artist",
            "Music Contributor",
            "Music Production",
            "Sound Designer",
            "Theme Music",
        ),
        "Administration": (
            "Booking Coordinator",
            "Content Manager",
            "Marketing Manager",
            "Production Assistant",
            "Production Coordinator",
            "Sales Manager",
            "Sales Representative",
        ),
        "Visuals": ("Cover Art Designer", "Graphic Designer"),
        "Community": ("Social Media Manager",),
        "Misc.": ("Consultant", "Intern"),
        "Video Production": (
            "Assistant Camera",
            "Camera Grip",
            "Camera Operator",
            "Lighting Designer",
        ),
        "Video Post-Production": ("Assistant Editor", "Editor"),
    }
)

# (role, group) pairs, lower case as written in podcast:person.
TAXONOMY_ROLES: frozenset[tuple[str, str]] = frozenset(
    (role.lower(), group.lower()) for group, roles in PERSON_GROUPS.items() for role in roles
)


def groups_of_role(role: str) -> list[str]:
    """The taxonomy groups in which ``role`` (lower case) exists."""
    return sorted(group for r, group in TAXONOMY_ROLES if r == role)


def category_pairs() -> list[str]:
    """Every valid category as the producer writes it: ``News`` or ``News > Daily News``."""
    pairs: list[str] = []
    for parent, subs in APPLE_CATEGORIES.items():
        pairs.append(parent)
        pairs.extend(f"{parent} > {sub}" for sub in subs)
    return pairs


# --- optional feed tags: the models (models.py) and the feed rules (rules/podcast20.py)
# both read these; here, the rules need not build the pydantic models to check a feed.

#: podcast:license identifiers of the namespace's license list (docs/examples/license).
KNOWN_LICENSES = ("ARR", "CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-NC-ND-4.0", "POD-V4V-1.0")

#: RFC 5870 geo URI as podcast:location wants it: latitude, longitude (and altitude).
GEO_URI = r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?$"
