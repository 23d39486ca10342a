"""Typed errors raised below the web adapters; ``web.errors`` turns each into its status once.

| error | status | meaning |
|---|---|---|
| InvalidInput | 400 | a value the user gave is wrong (``field`` names it when known) |
| ImportRefused | 400 | a file cannot be imported; every problem listed |
| LayerNotFound, FeatureNotFound | 404 | no such layer / record |
| Conflict | 409 | somebody changed the record since the user read it |
| TooLarge | 413 | a request whose work or answer would exceed a documented budget |
| QuotaShort | 422 | a hotspot list short of the R3 quota cannot be published |
| CriteriaNotMet | 422 | a village cannot be confirmed 已整治: an R2 criterion does not hold (``reasons``) |
| Busy | 429 | the user (or the server) is already running as much heavy work as allowed |
| DatabaseUnavailable | 503 | the database cannot be reached |
"""


class CountyMapError(Exception):
    """Base class of the errors this project raises on purpose."""


class InvalidInput(CountyMapError, ValueError):
    """A value given by the user is wrong; ``field`` names it when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LayerNotFound(CountyMapError):
    """A layer name that is not in the catalog."""


class FeatureNotFound(CountyMapError):
    """No feature (or record) with the asked-for code."""


class ImportRefused(CountyMapError):
    """A file that cannot be imported; nothing was written.

    ``problems`` lists every message (file, row, column, what is wrong); ``report``, where
    the importer made one, every problem as {row, code, column, value, what}.
    """

    def __init__(self, problems, report: list[dict] | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.report = report if report is not None else [
            {"row": None, "code": None, "column": None, "value": None, "what": p} for p in self.problems]
        super().__init__("\n".join(self.problems))


class DatabaseUnavailable(CountyMapError):
    """The embedded cluster cannot be started or the server cannot be reached."""


class Conflict(CountyMapError):
    """Somebody else changed the record since the user read it.

    ``current`` is the record's version now; ``key`` the name the client knows it by
    ('version' for remediation records, 'revision' for hotspot list drafts).
    """

    def __init__(self, message, current=None, key: str = "version"):
        super().__init__(message)
        self.current = current
        self.key = key


class QuotaShort(CountyMapError):
    """Publishing refused: the list is short of the R3 quota; ``shortfall`` says where."""

    def __init__(self, shortfall: list[str]):
        self.shortfall = shortfall
        super().__init__("清单未达到配额，不能发布：" + "；".join(shortfall))


class CriteriaNotMet(CountyMapError):
    """A confirmation 已整治 refused: an R2 criterion of ``village`` does not hold.

    ``reasons`` says which (the unseen 村口 and schools by name); ``field`` names the
    criterion ('orderly', 'services' or 'video').
    """

    def __init__(self, message: str, village: str, reasons: list[str], field: str):
        super().__init__(message)
        self.village = village
        self.reasons = list(reasons)
        self.field = field


class TooLarge(CountyMapError):
    """The work (or the answer) a request asks for exceeds a documented budget; ``field``
    names the parameter to change."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Busy(CountyMapError):
    """Too much heavy work already running for this user or this server; try again after
    ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after
