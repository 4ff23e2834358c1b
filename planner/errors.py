"""The project's own exception types."""

from __future__ import annotations

__all__ = ["InputError", "ScenarioError"]


class InputError(ValueError):
    """A value the user supplied (argument, table cell, file entry) breaks a rule.

    The message names the parameter, the rule and the offending value, e.g.
    ``'aht' must be > 0: -3.0``. It subclasses :class:`ValueError` so callers
    that catch ``ValueError`` keep working.
    """


class ScenarioError(InputError):
    """A scenario file or dict breaks a rule; the message names the file and the key."""
