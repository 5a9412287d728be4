"""Pages of long lists (view layer): `?page=N` parsed leniently, links to the neighbours.

A job may hold thousands of candidates; lists show PAGE_SIZE rows at a time, so one page of
HTML stays small whatever the job's size, while sorting and filtering stay server-side over
every row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import request, url_for

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = PAGE_SIZE

    @classmethod
    def from_args(cls, args: Mapping[str, str], size: int = PAGE_SIZE) -> Page:
        """`?page=` as a positive number; anything else (missing, text, 0) is page 1."""
        raw = (args.get("page") or "").strip()
        number = int(raw) if raw.isdecimal() and len(raw) <= 6 else 1
        return cls(max(number, 1), size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def clamp(self, total: int) -> Page:
        """The same page, or the last one when the number is past the end."""
        last = max((total + self.size - 1) // self.size, 1)
        return Page(min(self.number, last), self.size)

    def links(self, total: int) -> Pages:
        return Pages(self.clamp(total), total)


@dataclass(frozen=True)
class Pages:
    """What the pager macro shows: "page 2 of 7", previous / next links keeping the query."""

    page: Page
    total: int

    @property
    def count(self) -> int:
        return max((self.total + self.page.size - 1) // self.page.size, 1)

    @property
    def first_row(self) -> int:
        return min(self.page.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.page.offset + self.page.size, self.total)

    def url(self, number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        return url_for(request.endpoint or "", **(request.view_args or {}), **args)

    @property
    def prev_url(self) -> str | None:
        return self.url(self.page.number - 1) if self.page.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page.number + 1) if self.page.number < self.count else None
