"""Structural accessibility checks on server-rendered HTML, cheap enough to run on every page of a kind
(axe in a real browser covers a sample of them: tests/web/test_accessibility.py)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

REFERENCE_ATTRS = ("aria-labelledby", "aria-describedby", "aria-controls")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """What the checks need from one page: ids, references to ids, headings, images, links, title."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.ids: Counter[str] = Counter()
        self.references: list[tuple[str, str]] = []  # (attribute, id it points at)
        self.headings: list[tuple[int, str]] = []  # (level, text)
        self.problems: list[str] = []
        self.title = ""
        self.text: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []  # tag, attrs, text inside
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = found.get("lang")
        if "id" in found:
            self.ids[found["id"]] += 1
        for attr in REFERENCE_ATTRS:
            self.references += [(attr, ref) for ref in found.get(attr, "").split()]
        if tag == "label" and "for" in found:
            self.references.append(("label for", found["for"]))
        if tag == "img" and "alt" not in found:
            self.problems.append(f"an image without alt text: {found.get('src')}")
        if tag == "img" and self._open:  # its alt text names the link or button around it
            self._open[-1][2].append(f" {found.get('alt', '')} ")
        if "style" in found:
            self.problems.append(f"an inline style attribute on <{tag}> (the CSP forbids it)")
        if tag == "script" and "src" not in found:
            self.problems.append("an inline script (the CSP forbids it)")
        if tag not in VOID:
            self._open.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, attrs, inside = self._open.pop()
            words = " ".join("".join(inside).split())
            if self._open:
                self._open[-1][2].append("".join(inside))
            if open_tag != tag:
                continue
            if tag == "title":
                self.title = words
            elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                self.headings.append((int(tag[1]), words))
            elif tag == "a" and not words and not attrs.get("aria-label"):
                self.problems.append(f"a link without text: {attrs.get('href')}")
            break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open:
            self._open[-1][2].append(data)

    def report(self) -> list[str]:
        """Every problem found: missing lang, duplicate ids, dangling references, heading order, ..."""
        problems = list(self.problems)
        if not self.lang:
            problems.append("<html> has no lang")
        problems += [f"id {i!r} is used {n} times" for i, n in self.ids.items() if n > 1]
        problems += [
            f"{attr} points at no element: {ref!r}" for attr, ref in self.references if ref not in self.ids
        ]
        levels = [level for level, _ in self.headings]
        if levels.count(1) != 1:
            problems.append(f"{levels.count(1)} h1 headings (one expected)")
        for before, after in zip(levels, levels[1:], strict=False):
            if after > before + 1:
                problems.append(f"heading levels skip from h{before} to h{after}")
        if not self.title:
            problems.append("no <title>")
        return problems

    @property
    def words(self) -> str:
        return " ".join("".join(self.text).split())
