class RuleError(Exception):
    """A business rule refused the action. The message is shown to the user as it is (translated).

    Raised by services before anything is written; the caller's transaction rolls back, so a refused
    action changes nothing. Permission failures raise django.core.exceptions.PermissionDenied
    instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
