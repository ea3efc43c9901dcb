"""The local dashboard: the same loaded vault, reports and prep briefs, as web pages.

``pages`` (pure) turns what the CLI computes into each page's data and its
``.json`` twin; ``svg`` (pure) draws the heatmap; ``html`` renders the Jinja2
templates; ``app`` answers HTTP requests (the safety rules, the actions) for
:mod:`mdnet.server`.
"""
