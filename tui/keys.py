"""Key names for hints, read from the BINDINGS that own the actions, so a hint cannot name a
key that does not do what it says (the help screen and footer are generated the same way)."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def key_for(app: App, owner: type, action: str, key: str | None = None) -> str:
    """How the footer shows the key bound to `action` in `owner.BINDINGS` (its first key, or
    `key` when given, which must be one of that binding's keys). Raises KeyError otherwise."""
    for binding in owner.BINDINGS:
        if isinstance(binding, Binding) and binding.action == action:
            keys = [k.strip() for k in binding.key.split(",")]
            if key is None or key in keys:
                return app.get_key_display(Binding(key or keys[0], action))
    raise KeyError(f"{owner.__name__} binds no key{f' {key}' if key else ''} to {action}")


def tui_nodes(app: App, screen: Screen | None) -> list[DOMNode]:
    """The app, `screen` and every widget on it whose class is this app's own (tui.*): the
    owners of the bindings that the help screen and the command palette list."""
    nodes: list[DOMNode] = [app]
    if screen is not None:
        nodes += [screen, *screen.query("*")]
    return [node for node in nodes if type(node).__module__.startswith("tui.")]
