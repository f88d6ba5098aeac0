from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from apps.core.access import can
from apps.core.navigation import menu_for


class HomeView(LoginRequiredMixin, TemplateView):
    """Landing page: the role's own shortcuts, in the order that role needs them."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["shortcuts"] = menu_for(self.request.user)
        # The hotline's first job (SPEC WO-1): registering a call is one tap from home.
        ctx["can_register_request"] = can(self.request.user, "workorder", "add")
        return ctx


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class TokenRateThrottle(AnonRateThrottle):
    """Password guessing through the token endpoint is slowed down per client address."""

    scope = "token"


class ObtainTokenView(ObtainAuthToken):
    """POST username + password → {"token": …}; send it as `Authorization: Token …`."""

    throttle_classes = [TokenRateThrottle]


class ThrottledLoginView(LoginView):
    """The login form, with failed attempts per client address limited (demo passwords are
    public and staff passwords guessable): after LOGIN_MAX_FAILURES failures within
    LOGIN_LOCKOUT_SECONDS the form refuses to check passwords until the time has passed."""

    def _key(self):
        return f"login-failures:{self.request.META.get('REMOTE_ADDR', '')}"

    def post(self, request, *args, **kwargs):
        if cache.get(self._key(), 0) >= settings.LOGIN_MAX_FAILURES:
            # An unbound form: the password is not even checked while locked out.
            message = _("Too many failed attempts. Wait %(minutes)s minutes and try again.") % {
                "minutes": settings.LOGIN_LOCKOUT_SECONDS // 60
            }
            form = self.form_class(request=request)
            response = self.render_to_response(self.get_context_data(form=form, lockout=message))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = self._key()
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        cache.incr(key)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(self._key())
        return super().form_valid(form)
