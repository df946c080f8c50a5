"""The live stream's event types, from the one schema (zeues.lib.live)."""

from django import template

from zeues.lib.live import EVENT_TYPES

register = template.Library()


@register.simple_tag
def live_event_types() -> str:
    """Every stream event type, comma-separated (for the htmx SSE extension's sse-swap)."""
    return ",".join(EVENT_TYPES)
