"""Exception tree of sqlrec: every error the engine raises on purpose derives from one base."""


class SqlrecError(Exception):
    """Base class of the errors sqlrec raises for bad input or a bad store state."""


class StoreError(SqlrecError):
    """A store path is missing, malformed or locked."""


class IngestError(SqlrecError):
    """An input file cannot be loaded at all (a required column is missing, no row loaded)."""


class NotBuiltError(SqlrecError):
    """A step needs the output of an earlier offline step that has not run yet."""


class ExportError(SqlrecError):
    """An exported ONNX model disagrees with the torch model it was exported from."""


class UnknownUserError(SqlrecError, KeyError):
    """A recommendation was requested for a user id the active model has never seen."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
