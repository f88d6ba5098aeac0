from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.views.generic import TemplateView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from apps.core.navigation import menu_for


class HomeView(LoginRequiredMixin, TemplateView):
    """Landing page: the role's own shortcuts, in the order that role needs them."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["shortcuts"] = menu_for(self.request.user)
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
