"""Showing where a case matched a search: the matched words in <mark>, everything else escaped."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from apps.core.access import can
from apps.knowledge import search

register = template.Library()


def _render(pieces) -> str:
    return mark_safe(  # noqa: S308 — every piece of the text is escaped; only <mark> is ours
        "".join(
            f"<mark>{conditional_escape(part)}</mark>" if matched else str(conditional_escape(part))
            for part, matched in pieces
        )
    )


@register.filter
def highlight(text, terms):
    """{{ case.title|highlight:terms }}"""
    return _render(search.highlight(str(text or ""), terms or ()))


@register.filter
def snippet(text, terms):
    """{{ case.symptom|snippet:terms }} — a short excerpt around the first matched word."""
    return _render(search.snippet(str(text or ""), terms or ()))


@register.filter
def first_line(text):
    """The first non-empty line of a text (a fix's first step)."""
    return next((line.strip() for line in str(text or "").splitlines() if line.strip()), "")


@register.filter
def reads_cases(user) -> bool:
    """{% if request.user|reads_cases %} — whether to offer the library (e.g. on the intake form)."""
    return can(user, "case", "view")
