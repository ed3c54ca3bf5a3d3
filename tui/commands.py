"""The command palette (Ctrl+P): the same actions as the keys, generated from BINDINGS,
plus the screen's key-less actions (sorting, query syntax help, clearing filters)."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.widget import Widget

from tui.keys import tui_nodes


class FoiCommands(Provider):
    """Every shown binding of the app, the screen and its visible widgets, and the screen's PALETTE."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        commands: list[tuple[str, str, object]] = []
        seen: set[tuple[type, str]] = set()
        for node in tui_nodes(app, self.screen):
            cls = type(node)
            if isinstance(node, Widget) and not _shown(node):
                continue
            group = getattr(cls, "HELP_GROUP", cls.__name__)
            for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
                if not binding.show or (cls, binding.action) in seen:
                    continue
                seen.add((cls, binding.action))
                keys = app.get_key_display(binding)
                help_text = f"{binding.tooltip or group} · key {keys}"
                commands.append((binding.description, help_text, partial(app.run_action, binding.action, node)))
            for name, action, help_text in cls.__dict__.get("PALETTE", []):
                commands.append((name, help_text, partial(app.run_action, action, node)))
        unique: dict[str, tuple[str, str, object]] = {}
        for command in commands:  # the same action offered twice (screen and widget): keep the first
            unique.setdefault(command[0], command)
        return list(unique.values())

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)


def _shown(widget: Widget) -> bool:
    node: DOMNode | None = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True
