"""The query layer: pure functions from a loaded vault to what a command shows.

Each command reads its arguments, calls :meth:`mdnet.workspace.Workspace.load`
and one function here, and prints the result (``to_json`` for ``--json``).
A new report is a function here plus a thin command.  Pure: no I/O.
"""

from __future__ import annotations

from .contacts import (Listed, Shown, contact_json, find_contacts, find_new_names, last_interaction, list_contacts,
                       names_exactly, referred, show_contact, unused_filter_values)
from .problems import Problems, problems

__all__ = ["Listed", "Problems", "Shown", "contact_json", "find_contacts", "find_new_names", "last_interaction",
           "list_contacts", "names_exactly", "problems", "referred", "show_contact",
           "unused_filter_values"]
