from django.utils.functional import SimpleLazyObject

from apps.notifications import selectors


def unread_notifications(request):
    """`{{ unread_notifications }}` in any template: the user's unread count, queried only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user=user))}
