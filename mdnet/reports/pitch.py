"""``mdnet pitch``: the 30-second pitch, timed.  Pure.

Spoken at about 150 words a minute, a pitch of 75 words takes 30 seconds.
Warns when it runs longer, when there is none, and when the target role,
industries, geography or the pitch itself are still the starter vault's
examples (a pitch nobody rewrote helps nobody).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..profile import Profile

WORDS_PER_MINUTE = 150
LIMIT_SECONDS = 30

# What the starter vault's Profile.md says (tests/test_reports.py checks they match it).
TEMPLATE_ROLE = "Senior product analyst, payments or risk"
TEMPLATE_INDUSTRIES = ("fintech", "banking", "insurance")
TEMPLATE_GEOGRAPHY = "Boston area, hybrid; open to fully remote"
TEMPLATE_PITCH_START = "I'm a data analyst with six years in operations analytics at Contoso"

_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True, slots=True)
class Pitch:
    path: str | None  # Profile.md, or None when the vault has none
    line: int  # where the pitch starts
    text: str
    words: int
    seconds: int  # spoken at WORDS_PER_MINUTE, rounded up
    target_role: str | None
    industries: tuple[str, ...]
    geography: str | None
    warnings: tuple[str, ...]


def build(profile: Profile) -> Pitch:
    words = len([w for w in _WORD.findall(profile.pitch) if any(ch.isalnum() for ch in w)])
    seconds = -(-words * 60 // WORDS_PER_MINUTE)
    warnings = []
    if profile.path is None:
        warnings.append("there is no Profile.md at the top of the vault: `mdnet init` writes one to fill in")
    elif not profile.pitch:
        warnings.append("Profile.md has no pitch: add a section such as \"## My 30-second pitch\"")
    if seconds > LIMIT_SECONDS:
        warnings.append(f"the pitch takes about {seconds} seconds to say ({words} words); "
                        f"aim for {LIMIT_SECONDS} seconds, about {LIMIT_SECONDS * WORDS_PER_MINUTE // 60} words")
    examples = []
    if profile.pitch.startswith(TEMPLATE_PITCH_START):
        examples.append("the pitch")
    if profile.target_role == TEMPLATE_ROLE:
        examples.append("the target role")
    if tuple(i.casefold() for i in profile.industries) == TEMPLATE_INDUSTRIES:
        examples.append("the industries")
    if profile.geography == TEMPLATE_GEOGRAPHY:
        examples.append("the geography")
    if examples:
        what = ", ".join(examples[:-1]) + (" and " if len(examples) > 1 else "") + examples[-1]
        warnings.append(f"{what} in Profile.md {'is' if len(examples) == 1 else 'are'} still the starter "
                        "vault's example: replace with your own")
    return Pitch(profile.path, profile.pitch_line, profile.pitch, words, seconds, profile.target_role,
                 profile.industries, profile.geography, tuple(warnings))
