"""The print pages of the boards (``print/posts/<id>/board/`` ...), the staff's print indexes and the
short addresses ``p/<id>/`` and ``p/<id>/feedback/`` that the boards' QR codes lead to.

A page source in ``pipeline.PAGE_SOURCES``; ``site-builder pdf`` renders the same pages (:func:`board_page`).
"""

from __future__ import annotations

from typing import Iterator

from markupsafe import Markup

from .. import memo
from ..content.paper import KINDS
from ..model.build import Model, Unit, remade_in_place, while_same
from ..model.stars import REVOKED
from ..printing.badges import sheet_grid
from ..printing.boards import (PERSONNEL_KINDS, Board, PrintSettings, board_address, cards_sheet_css, data_month,
                               make_board, members_by_post, sheet_css, short_url, unit_board_count, unit_board_list,
                               unit_boards, unit_posts)
from .web import Page, Pages


def board_page(board: Board, prints: PrintSettings, *, url: str | None = None, face_src: str | None = None,
               density: int | None = None, css: dict[str, Markup] | None = None) -> Page:
    """The page (template + context) of one board; ``pdf`` renders the same page with WeasyPrint. ``css``
    keeps the print CSS of each kind of board for the next board of that kind (the same prints and font)."""
    kind = board.kind.name
    css = {} if css is None else css
    if kind not in css:
        css[kind] = sheet_css(board, prints, face_src)
    return Page(url or _board_url(board), board.kind.template,
                board_context(board, prints, board.density if density is None else density, css[kind]))


def board_context(board: Board, prints: PrintSettings, density: int, css: Markup) -> dict:
    return {"board": board, "d": board.data, "paper": prints.papers[board.kind.name], "density": density,
            "sheet_css": css}


def board_view(model: Model, kind: str, post, member) -> dict:
    """The context of a board's print page in the site: the board is made when the page is rendered."""
    board = make_board(model, kind, post, member)
    prints, css = _print_setup(model.settings, board)
    return board_context(board, prints, board.density, css)


# (the settings, their print settings, the print CSS of each kind of board): made once a process for the settings
# of the model being rendered, not once a page (a city has tens of thousands of board pages)
_PRINTS: tuple = (None, None, {})


def _print_setup(settings, board: Board) -> tuple[PrintSettings, Markup]:
    """The print settings and ``board``'s print CSS (the same for every board of its kind, as in
    :func:`board_page`). ``settings.print`` is read on every call, so that each page that uses the kept
    values records that it read the settings (incremental/tracking.py), as if it had made them itself."""
    global _PRINTS
    settings.print
    if _PRINTS[0] is not settings:
        _PRINTS = (settings, PrintSettings.of(settings), {})
    _, prints, css = _PRINTS
    kind = board.kind.name
    if kind not in css:
        css[kind] = sheet_css(board, prints)
    return prints, css[kind]


def _board_url(board: Board) -> str:
    return board.url or f"print/{board.kind.name}/{board.id}/"


def sheet_page(cards: list[Board], prints: PrintSettings, title: str, *, url: str, face_src: str | None = None,
               densities: dict[str, int] | None = None) -> Page | None:
    """The A4 sheets of small cards of one kind (the badge cards), ten CR80 cards to a page with crop marks
    (printing/badges.py ``sheet_grid``); None when the configured card is too large for a sheet. ``densities``:
    the layout each card was printed in alone (``pdf`` may have tightened it), by board key."""
    kind = cards[0].kind
    grid = sheet_grid(prints.papers[kind.name])
    if not grid.per_sheet:
        return None
    densities = densities or {}
    cells = grid.cells()
    placed = [{"board": b, "density": densities.get(b.key, b.density), "x": cells[i % grid.per_sheet][0],
               "y": cells[i % grid.per_sheet][1]} for i, b in enumerate(cards)]
    sheets = [placed[i:i + grid.per_sheet] for i in range(0, len(placed), grid.per_sheet)]
    return Page(url, "print/cards-sheet.html", {"kind": kind, "grid": grid, "title": title, "sheets": sheets,
                                                "sheet_css": cards_sheet_css(kind, grid, prints, face_src)})


SITE_KINDS = tuple(name for name, kind in KINDS.items() if kind.in_site)  # boards with a print page in the site


def _serving_by_unit(model: Model) -> tuple[tuple[Unit, tuple], ...]:
    """Each unit with posts, with everyone serving at its posts, consenting or not (their personnel-file cards), by
    post in board order."""
    members = members_by_post(model)
    return tuple((unit, _serving(unit, members)) for unit in model.units if unit.posts)


def _serving(unit: Unit, members: dict[str, tuple]) -> tuple[tuple[str, tuple], ...]:
    return tuple((post.id, tuple(members.get(post.id, ()))) for post in unit_posts(unit))


def _serving_again(model: Model, inputs: tuple, before: tuple[tuple[Unit, tuple], ...]) -> tuple:
    """:func:`_serving_by_unit` from what it gave for ``inputs``: when only who serves where changed (a member's edit),
    or the posts were made again with the same ids (a post's edit), the units none of whose posts' staff changed keep
    their part, the very tuple (the groups of their print pages are then found the same at once:
    tracking.same_arguments)."""
    units, unit_posts_before, standings, staff = inputs
    if units is not model.units or standings is not model.relations.standings or \
            not _same_posts(unit_posts_before, model.relations.unit_posts):
        return _serving_by_unit(model)
    now = members_by_post(model)
    changed = {pid for pid, found in now.items() if staff.get(pid) is not found}
    changed.update(staff.keys() - now.keys())
    return tuple(found if changed.isdisjoint([pid for pid, _ in found[1]]) else (found[0], _serving(found[0], now))
                 for found in before)


def _same_posts(before: dict[str, tuple], now: dict[str, tuple]) -> bool:
    """Whether each unit has posts of the same ids in the same order (the very tuples, or posts made again: a post's
    edit), all that :func:`_serving` reads of them besides their standings."""
    if before is now:
        return True
    if before.keys() != now.keys():
        return False
    return all(was is posts or remade_in_place(was, posts) is not None
               for was, posts in zip(map(before.get, now), now.values()))


def pages(model: Model) -> Iterator[Page | Pages]:
    """Page source: short addresses, print pages of the wall boards, the print indexes for staff. Each unit's
    print pages are a group of their own: an edit of one member lists one unit's boards again
    (incremental/listing.py)."""
    yield Pages("print.short", short_pages, (model,))
    for unit, serving in while_same(model, "print.units", (model.units, model.relations.unit_posts,
                                                        model.relations.standings, model.staff),
                                 lambda: _serving_by_unit(model), again=lambda *before: _serving_again(model, *before)):
        yield Pages(f"print.unit.{unit.id}", unit_pages, (model, unit, serving))
    # (made by a view where it is rendered: counting every unit's boards while the pages are listed cost 0.3 s
    # of every build and `serve` rebuild at 10,000 posts, and a story's edit never changes it)
    yield Page("print/", "print/index.html", view=print_index_view, args=(model,))


def print_index_view(model: Model) -> dict:
    """The staff's print index: for each unit, how many boards it has (not the boards: the page would be
    compared by all of them) and how many of its posts were revoked. Everyone serving at each post is looked up
    only if the site lists personnel-file cards (:func:`unit_board_count`): else the page reads the units and
    posts, not all 60,000 members of a large city (0.9 s while recording what it reads, against 0.07 s)."""
    units = tuple(unit for unit in model.units if unit.posts)
    if PERSONNEL_KINDS & set(SITE_KINDS):
        members = members_by_post(model)
        counts = [(unit_board_count(unit, SITE_KINDS, members), _revoked(unit)) for unit in units]
    else:  # (a post's edit counts its unit's boards again, not a city's: the other units' counts are kept)
        counts = unit_counts.each(SITE_KINDS, units)
    summary = [{"unit": unit, "boards": boards, "revoked": revoked} for unit, (boards, revoked) in zip(units, counts)]
    prints = PrintSettings.of(model.settings)
    return {"units": summary, "papers": prints.papers, "as_of": data_month(model)}


@memo.derived("print.unit-counts")
def unit_counts(kinds: tuple[str, ...], unit: Unit) -> tuple[int, int]:
    """How many boards of ``kinds`` a unit has, and how many of its posts were revoked: its row of the print index
    (where no kind needs everyone serving at each post)."""
    return unit_board_count(unit, kinds), _revoked(unit)


def _revoked(unit: Unit) -> int:
    return sum(p.status == REVOKED for p in unit.posts)


def short_pages(model: Model) -> Iterator[Page]:
    """The short addresses the boards' QR codes lead to (``p/<id>/``, ``p/<id>/feedback/``)."""
    for post in model.posts:
        yield Page(short_url(post), "short.html", view=short_view, args=(post, False))
        yield Page(short_url(post, feedback=True), "short.html", view=short_view, args=(post, True))


def unit_pages(model: Model, unit, serving: tuple) -> Iterator[Page]:
    """A unit's print pages: each board's, and the unit's list of them. Listed without making a board (each page
    makes its own when it is rendered: the boards' contents are the larger part of a city's page list), in the
    order :func:`boards.unit_boards` makes them."""
    for kind, post, member in unit_board_list(unit, SITE_KINDS, dict(serving)):
        yield Page(board_address(KINDS[kind], post, member), KINDS[kind].template, view=board_view,
                   args=(model, kind, post, member))
    yield Page(f"print/units/{unit.id}/", "print/unit.html", view=unit_view, args=(model, unit, serving))


def unit_view(model: Model, unit, serving: tuple) -> dict:
    """A unit's list of its boards, with their fingerprints (each board made again, or one of the last made)."""
    boards = unit_boards(model, unit, SITE_KINDS, {pid: list(members) for pid, members in serving})
    rows = []
    for post in unit_posts(unit):
        own = [b for b in boards if b.post is post]
        rows.append({"post": post, "boards": [b for b in own if b.member is None],
                     "cards": [b for b in own if b.member is not None]})
    return {"unit": unit, "rows": rows, "papers": PrintSettings.of(model.settings).papers, "as_of": data_month(model)}


def short_view(post, feedback: bool) -> dict:
    """A short address's page (``p/<id>/``, ``p/<id>/feedback/``): where a board's QR code leads."""
    return {"post": post, "feedback": feedback}
