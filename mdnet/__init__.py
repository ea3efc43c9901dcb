"""mdnet: a plain-text networking CRM for people looking for their next job."""

__version__ = "0.1.0"
