from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The record changed since the user loaded it, or a state does not allow the move."""

    default_message = _(
        "Someone else changed this record while you were editing it. "
        "Your changes were not saved; review the current values and apply them again."
    )

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))
