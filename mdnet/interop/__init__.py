"""Import and export: LinkedIn connections, vCard, Google Contacts CSV.

Everything here is pure.  A reader turns a file's text into :class:`Incoming`
contacts and ``Diagnostic`` problems (one bad row costs that row); the planner
(:mod:`mdnet.interop.plan`) matches them against the vault and says, as plain
data, which notes to create and which properties to fill; the CLI shows the
plan (``--dry-run``) or applies it through the guarded writer.  The exporters
turn contacts into vCard 4.0 or CSV text.
"""
