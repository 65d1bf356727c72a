"""``{% form_token %}``: the hidden field that makes a form's submission count once (REL-05).

Put it beside ``{% csrf_token %}`` in every form that posts. Each use renders a new random
token, so every form of a page, and every time a page is shown, has its own; nothing is
stored until the form is sent (``alliance.web.middleware.FormTokenMiddleware``).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from alliance.idempotency.services import token_new
from alliance.web.middleware import FORM_TOKEN_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, token_new())
