from django.utils import timezone


def record_last_login(sender, user, **kwargs):
    """Stamp the login time with a plain UPDATE: no history row, no version bump."""
    now = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
