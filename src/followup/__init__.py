"""followup: draft the follow-ups that win export orders."""

from followup.version import __version__

__all__ = ["__version__"]
