"""Key names for hints, read from the BINDINGS that own the actions, so a hint cannot name a
key that does not do what it says (the help screen and footer are generated the same way)."""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding


def key_for(app: App, owner: type, action: str, key: str | None = None) -> str:
    """How the footer shows the key bound to `action` in `owner.BINDINGS` (its first key, or
    `key` when given, which must be one of that binding's keys). Raises KeyError otherwise."""
    for binding in owner.BINDINGS:
        if isinstance(binding, Binding) and binding.action == action:
            keys = [k.strip() for k in binding.key.split(",")]
            if key is None or key in keys:
                return app.get_key_display(Binding(key or keys[0], action))
    raise KeyError(f"{owner.__name__} binds no key{f' {key}' if key else ''} to {action}")
