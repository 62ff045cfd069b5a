"""The one rich Console that every command prints through (so tests can capture it in one place)."""

from rich.console import Console

console = Console()
