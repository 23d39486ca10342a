"""Typed errors raised below web/, turned into HTTP answers in web/."""


class CountyMapError(Exception):
    """Base class of the errors this project raises on purpose."""


class LayerNotFound(CountyMapError):
    """A layer name that is not in the catalog."""


class FeatureNotFound(CountyMapError):
    """No feature with the asked-for code."""


class ImportRefused(CountyMapError):
    """A file that cannot be imported; nothing was written.

    ``problems`` lists every message (file, row, column, what is wrong).
    """

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DatabaseUnavailable(CountyMapError):
    """The embedded cluster cannot be started or the server cannot be reached."""


class Conflict(CountyMapError):
    """Somebody else changed the record since the user read it; ``current`` is what is there now."""

    def __init__(self, message, current=None):
        super().__init__(message)
        self.current = current
