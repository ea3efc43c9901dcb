"""Kept for callers written before :mod:`mdnet.query`: the contact lookups live in
:mod:`mdnet.query.contacts` now.  Pure."""

from __future__ import annotations

from .query.contacts import contact_json, find_contacts, last_interaction, match_names, referred

__all__ = ["contact_json", "find_contacts", "last_interaction", "match_names", "referred"]
