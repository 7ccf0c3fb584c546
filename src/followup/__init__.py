"""followup: draft the follow-ups that win export orders."""

__version__ = "0.1.0"
