"""Print a reliability figure (reliability.md) in pytest's closing summary, outside capture."""

import pytest

_LINES: dict[str, str] = {}


class _Figures:
    def pytest_terminal_summary(self, terminalreporter):
        for line in _LINES.values():
            terminalreporter.write_line(line)


def report(config: pytest.Config, key: str, line: str) -> None:
    """Show `line` (replacing an earlier line with the same key) at the end of the run."""
    if not config.pluginmanager.has_plugin("trust-figures"):
        config.pluginmanager.register(_Figures(), "trust-figures")
    _LINES[key] = line
