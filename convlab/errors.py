"""Errors raised on bad input.

Every error a user can cause by writing a claim or instance file is an :class:`InputError`: it
names the file, the claim, the field and what was expected, and the command line prints it as a
single line (exit code 2, no traceback).
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a claim, an instance or a bound that cannot be used.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    file, claim, field
        Where the problem is; each optional, filled in by the loader as it learns them.
    """

    def __init__(self, message: str, *, file: str | None = None, claim: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.claim = claim
        self.field = field

    def __reduce__(self):  # keep the location when sent between processes
        return (_rebuild, (type(self), self.message, self.file, self.claim, self.field))

    def located(self, *, file: str | None = None, claim: str | None = None,
                field: str | None = None) -> "InputError":
        """Return the same error with the missing location parts filled in."""
        return InputError(self.message, file=self.file or file, claim=self.claim or claim,
                          field=self.field or field)

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.claim:
            parts.append(f"claim '{self.claim}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        where = ": ".join(parts)
        return one_line(f"{where}: {self.message}" if where else self.message)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other unprintable characters (which a claim file
    may put in a name) written as escapes, so that one problem is always one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def _rebuild(cls, message, file, claim, field):
    return cls(message, file=file, claim=claim, field=field)


class BoundError(InputError):
    """A bound or parameter expression that does not parse or cannot be evaluated."""
