"""Errors raised by journeylab.

Every error is a subclass of :class:`JourneylabError` and says what to do next.
"""
from __future__ import annotations

__all__ = [
    "JourneylabError",
    "InvalidInputError",
    "MissingColumnError",
    "EmptyLogError",
    "UnreadableFileError",
    "UnsafeInputError",
    "ValidationError",
]


class JourneylabError(Exception):
    """Base class of every error journeylab raises on purpose."""


class InvalidInputError(JourneylabError, ValueError):
    """The input cannot be used as given; the message names the fix."""


class MissingColumnError(JourneylabError, KeyError):
    """A column named for a role is not in the data."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class EmptyLogError(InvalidInputError):
    """The input holds no usable events."""


class UnreadableFileError(InvalidInputError):
    """A file cannot be read (truncated, wrong encoding, unknown format)."""


class UnsafeInputError(InvalidInputError):
    """A file carries constructs journeylab refuses to process (XML entities, DTDs)."""


class ValidationError(InvalidInputError):
    """Strict validation found rows it would otherwise quarantine.

    The full :class:`~journeylab.io.validate.ValidationReport` is on ``.report``.
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class StudyError(JourneylabError, RuntimeError):
    """A notebook stopped with an error; the message names the cell and the error, and the
    executed notebook (with the traceback) is kept for reading."""
