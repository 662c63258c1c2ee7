"""Stage 2, model: raw records → the site's objects, with every cross-record rule checked.

Posts get their star level and status from :mod:`stars`; only approved posts and members who
consented are public (``public`` flags); stories are rendered and sanitised here so that a bad link
or image is reported with its file and line before anything is written.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import operator
import os
import posixpath
import re
from dataclasses import dataclass, field, fields
from itertools import compress
from operator import is_, is_not, ne
from pathlib import Path
from stat import S_ISREG
from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, Iterator, Protocol

from markupsafe import Markup, escape

from ..content import formats
from ..content.load import Raw
from ..content.schema import Packed, Rec, suggest
from ..content.text import EAST_ASIAN
from ..errors import Problems
from ..memo import keep, memoized, recall
from . import images, stars
from .markdown import MarkupError, UrlFilter, plain_text, render_markdown


@dataclass(frozen=True)
class Settings:
    title: str
    base_url: str
    base_path: str  # "/" or "/pledge/"
    language: str
    organisation: dict
    districts: dict[str, str]
    sectors: dict[str, str]
    rules: stars.Rules
    page_size: int
    print: dict | None = None  # site.yaml `print:` (boards.PrintSettings fills in the defaults)
    editing: dict | None = None  # site.yaml `editing:` (pages/admin.py: where /admin/ saves)


@dataclass(eq=False, frozen=True)
class Unit:
    id: str
    name: str
    branch: str
    district: str
    sector: str
    address: str | None
    service_hall: bool
    website: str | None
    # The file whose bytes alone make these fields (incremental/tracking.py tells an unchanged object by that
    # file's digest and its other fields; tests/test_incremental.py names the other fields of each class, so
    # that a new field is put on one side or the other)
    FROM_FILE = ("content/units/{}.yaml", frozenset({"id", "name", "branch", "district", "sector", "address",
                                                    "service_hall", "website"}))
    # What the model in use says about the object, made from other objects (see Relations): compared with its
    # fields (incremental/tracking.py), so that a page that read it is rendered again when it changes
    DERIVED = {"posts": "unit_posts"}  # (the name read → the field of Relations)

    @property
    def posts(self) -> tuple["Post", ...]:
        """The unit's public posts, by id."""
        return _related("unit_posts", self)

    @property
    def url(self) -> str:
        return f"units/{self.id}/"


@dataclass(eq=False, frozen=True)
class Post:
    id: str
    name: str
    kind: str
    unit: Unit
    location: str | None
    description: str | None
    declared: dt.date
    approval: dict | None
    feedback: dict
    decision: dict | None  # revocation decided outside the evaluations
    FROM_FILE = ("content/posts/{}.yaml", frozenset({"id", "name", "kind", "location", "description", "declared",
                                                    "approval", "feedback", "decision"}))
    DERIVED = {"standing": "standings", "members": "post_members", "stories": "post_stories"}

    @property
    def standing(self) -> stars.Standing:
        """The post's star level, status and history from the evaluations (an unapproved post's: none)."""
        return _related("standings", self)

    @property
    def members(self) -> tuple["Member", ...]:
        """The public members serving at the post, in board order."""
        return _related("post_members", self)

    @property
    def stories(self) -> tuple["Story", ...]:
        """The stories naming the post, newest first."""
        return _related("post_stories", self)

    @property
    def public(self) -> bool:
        return self.approval is not None

    @property
    def stars(self) -> int:
        return self.standing.stars

    @property
    def status(self) -> str:
        return self.standing.status

    @property
    def evaluated(self) -> bool:
        """Whether any month's scores count for this post yet (else its pages say 尚无考评, not 0 星)."""
        return self.standing.evaluated

    @property
    def url(self) -> str:
        return f"posts/{self.id}/"


@dataclass(eq=False, frozen=True)
class Member:
    id: str
    name: str
    posts: tuple[Post, ...]  # every post the member serves at, as written (`post: [a, b]`), approved or not
    position: str
    order: int
    consent: dict
    photo: images.ImageRef | None  # only when consent.photo is true
    pledge: str
    pledges: dict[str, str]  # post id → the pledge at that post, where it differs from ``pledge``
    roles: tuple[str, ...]
    standard: dict
    # read by the member's own page and boards only: kept as their pickle where the file was read (Packed)
    records: Sequence[dict]
    assessments: Sequence[dict]
    honours: Sequence[dict]
    # consented, and serving at an approved post: worked out once when made (the model and the boards ask
    # 120,000 times at 10,000 posts); a field, so that an object's digest changes with it
    public: bool = field(init=False, repr=False)
    # the member's page, made once: a string shared by the pages and lists that name it (three at 10,000 posts:
    # 60,000 members' addresses made again for each was 7.5 MiB of every rendering process)
    url: str = field(init=False, repr=False)
    FROM_FILE = ("content/members/{}.yaml", frozenset({"id", "name", "position", "order", "consent", "pledge",
                                                      "pledges", "roles", "standard", "records", "assessments",
                                                      "honours", "url"}))
    DERIVED = {"stories": "member_stories"}

    def __post_init__(self) -> None:
        object.__setattr__(self, "public", bool(self.consent["public"]) and any(p.public for p in self.posts))
        object.__setattr__(self, "url", f"members/{self.id}/")

    @property
    def stories(self) -> tuple["Story", ...]:
        """The stories naming the member, newest first."""
        return _related("member_stories", self)

    @property
    def post(self) -> Post:
        """The member's main post: the first approved one (else the first); their personnel-file cards' post."""
        return next((p for p in self.posts if p.public), self.posts[0])

    @property
    def public_posts(self) -> list[Post]:
        """The approved posts the member serves at: each shows them on its page and its board."""
        return [p for p in self.posts if p.public]

    def pledge_at(self, post: Post) -> str:
        """The pledge shown on ``post``'s page, board and standard card."""
        return self.pledges.get(post.id, self.pledge)

    @property
    def stage(self) -> str:
        """proposed → open (群众议标准) → set (组织定标准)."""
        if self.standard.get("set"):
            return "set"
        if self.standard.get("comment_from"):
            return "open"
        return "proposed"

    @property
    def under_discussion(self) -> bool:
        """Whether the member's standard is open for comment on the standards pages: open, at a post not revoked."""
        return self.stage == "open" and any(p.status != stars.REVOKED for p in self.public_posts)


@dataclass(eq=False, frozen=True)
class Story:
    id: str
    title: str
    date: dt.date
    author: str
    kind: str
    posts: tuple[Post, ...]
    members: tuple[Member, ...]
    tags: tuple[str, ...]
    cover: images.ImageRef | None
    cover_alt: str | None
    cover_caption: str | None
    summary: str
    html: str  # (made from the body, the posts and members it links to, the settings and the photos)
    source: str
    FROM_FILE = ("content/stories/{}.md", frozenset({"id", "title", "date", "author", "kind", "tags", "cover_alt",
                                                    "cover_caption", "source"}))

    @property
    def url(self) -> str:
        return f"stories/{self.id}/"


@dataclass(frozen=True)
class Relations:
    """What the model works out about each object from the others: a unit's posts, a post's members, stories and
    standing, a member's stories. Not fields of the objects: an object is then made from its own file and the
    objects it names alone (the graph is the other way round: a story names posts and members, a member posts, a
    post its unit), so an object that none of those changed is the same in the next model, and a story's edit
    changes no post. Each object reads them (its properties: ``post.members``) from the last model made that
    holds it (:meth:`Model.__post_init__`): an object no file changed is handed from a model to the next one built
    in the same process (``serve``'s), which replaces the one before; two models built apart (``pdf --stale``'s
    revision and today's) share no object."""

    unit_posts: dict[str, tuple["Post", ...]] = field(default_factory=dict)  # unit id → its public posts, by id
    post_members: dict[str, tuple["Member", ...]] = field(default_factory=dict)  # public members, board order
    post_stories: dict[str, tuple["Story", ...]] = field(default_factory=dict)  # stories naming it, newest first
    member_stories: dict[str, tuple["Story", ...]] = field(default_factory=dict)
    standings: dict[str, stars.Standing] = field(default_factory=dict)  # approved post id → its standing


_NO_STANDING = stars.Standing()  # (an unapproved post's: never evaluated)
_get = object.__getattribute__  # (the relations are read past the incremental core's tracking of the model:
# a page that reads ``post.members`` has read the post, whose digest holds its members; not every post's)


_NONE_RELATED = {"standings": _NO_STANDING}  # what an object no relation names has (else: ())
class _Bound:
    """Where the objects given to a model read their relations: each object holds the one of the last model made that
    holds it (its attribute ``_relations``, not a field). A model made of the very same objects (tuples) as the model
    before, with no other model made since, puts its relations here (``serve``'s rebuild after a story's edit: the
    71,000 objects of 10,000 posts are not given them one by one); any other model gives its objects a new one."""

    __slots__ = ("relations", "holders", "binding")

    def __init__(self, relations: "Relations", holders: tuple, binding: int):
        self.relations, self.holders, self.binding = relations, holders, binding


_NOT_BOUND = _Bound(Relations(), (), 0)  # (an object no model holds)
_RELATIONS = "_relations"  # (the attribute of a model object that holds its _Bound)
_BINDINGS = [0]  # (how many times a model gave its objects a _Bound, in this process: see Model.__post_init__)


def _related(name: str, obj: Any) -> Any:
    return _relation(_get(obj, "__dict__").get(_RELATIONS, _NOT_BOUND).relations, name, _get(obj, "id"))


def _relation(relations: "Relations", name: str, oid: str) -> Any:
    return getattr(relations, name).get(oid, _NONE_RELATED.get(name, ()))


def related_in(model: "Model", obj: Any, name: str) -> Any:
    """What ``model`` relates to ``obj`` under the property ``name`` (one of its class's ``DERIVED``: a post's
    members ...), whichever model ``obj`` reads its relations from now (an object kept from a model to the next
    reads the newer one's)."""
    return _relation(_get(model, "relations"), type(obj).DERIVED[name], _get(obj, "id"))


def relations_changed(before: "Model", now: "Model") -> set[tuple[type, str]]:
    """(class, id) of every object to which ``now`` relates other objects or values than ``before`` did: other
    objects (identity: a post whose member was made again has other members), or a value with another digest (a
    standing)."""
    changed: set[tuple[type, str]] = set()
    was, new = _get(before, "relations"), _get(now, "relations")
    for cls in (Unit, Post, Member):
        for name in cls.DERIVED.values():
            a, b = getattr(was, name), getattr(new, name)
            if a is b:  # (kept whole: a story's edit keeps the posts' members and standings)
                continue
            for oid in a.keys() | b.keys():
                x, y = a.get(oid), b.get(oid)
                if x is y:
                    continue
                if type(x) is tuple and type(y) is tuple:
                    if len(x) == len(y) and all(map(is_, x, y)):
                        continue
                elif type(x) is stars.Standing and type(y) is stars.Standing and x.digest == y.digest:
                    continue
                changed.add((cls, oid))
    return changed


@dataclass(frozen=True)
class Model:
    settings: Settings
    units: tuple[Unit, ...]  # sorted by id
    posts: tuple[Post, ...]  # public posts, sorted by id
    members: tuple[Member, ...]  # public members, sorted by id
    stories: tuple[Story, ...]  # newest first
    as_of: str | None  # the latest evaluated month
    images: dict[str, images.ImageRef]  # content-relative path → image, everything that is published
    content: Path
    external_links: tuple[tuple[str, str], ...] = ()  # (source, url)
    # every member, public or not, sorted by id: only for the personnel-file cards (boards.py, pdf)
    all_members: tuple[Member, ...] = ()
    # every post, approved or not, sorted by id: only for what check says is not published (reports.py)
    all_posts: tuple[Post, ...] = ()
    # links written in Markdown that point into the site: (source, line, col, as written, site URL);
    # linkcheck reports those that no page answers at their source line
    internal_links: tuple[tuple[str, int, int, str, str], ...] = ()
    # pages of content files that exist but have problems of their own ("members/li-yan/"): a link to one
    # is not reported (the file's problem is), here nor by linkcheck
    broken: frozenset[str] = frozenset()
    # the competitions (开展一项竞赛), ranked by model/competition.py after the rest of the model is built
    competitions: tuple = ()
    # post id → everyone serving at it (a member at two approved posts under both), consenting or not, in board
    # order: whose cards each post's unit prints (printing/boards.py members_by_post)
    staff: dict[str, tuple[Member, ...]] = field(default_factory=dict)
    # content file (a record's ``path``) → the digest of its bytes: what the records were read from, by which the
    # incremental core names them (incremental/tracking.py); no page shows it
    sources: dict[str, bytes] = field(default_factory=dict)
    relations: Relations = field(default_factory=Relations)
    # story id → the photos it shows ((path as written, photo), in the order it asked for them): what the next
    # build inside `serve` looks at to keep the story as it is (Builder.kept_stories); no page reads it
    story_photos: dict[str, tuple[tuple[str, images.ImageRef], ...]] = field(default_factory=dict)
    # the public members with an honour of their own, sorted by id (the honour roll lists them: a group of pages
    # that reads this, not every member, is kept when a member without one is edited)
    honoured: tuple[Member, ...] = ()
    # the public members whose standard is open for comment (群众议标准: the standards pages), sorted by id; worked
    # out from the members when not given (the builder gives the model before's with the members made again
    # looked at anew, when only members and stories changed: not 60,600 members looked at by every rebuild)
    discussed: tuple[Member, ...] | None = None
    # what was worked out from some of the model's tuples and tables, with them (name → (those objects, the value),
    # see :func:`while_same`); a model made from this one by dataclasses.replace shares it
    kept_while_same: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Each object reads its relations from here (see Relations): not a field, not part of what it holds
        relations = self.relations
        holders = (self.units, self.all_posts or self.posts, self.all_members or self.members)
        first = next((objects[0] for objects in holders if objects), None)
        bound = _get(first, "__dict__").get(_RELATIONS) if first is not None else None
        # (a model made from another, by dataclasses.replace or the next serve rebuild, holds the same objects: 71,000
        # at 10,000 posts; unless another model gave some of them its relations since, as one whose build failed may)
        if bound is not None and bound.binding == _BINDINGS[0] and all(map(is_, bound.holders, holders)):
            bound.relations = relations
        else:
            _BINDINGS[0] += 1
            bound = _Bound(relations, holders, _BINDINGS[0])
            for objects in holders:
                for obj in objects:
                    object.__setattr__(obj, _RELATIONS, bound)
        if self.discussed is None:
            object.__setattr__(self, "discussed", tuple(m for m in self.members if m.under_discussion))

    def objects(self) -> Iterator[Any]:
        """The model and every object in it: its settings, every unit, post (approved or not), member (public or
        not) and story. Every object a field of another one refers to is among them (the incremental core names
        the objects by these: incremental/tracking.py; tests/test_incremental.py walks every reference to check)."""
        yield self
        yield self.settings
        for objects in self.object_tuples():
            yield from objects

    def object_tuples(self) -> tuple[tuple, ...]:
        """The tuples of objects that :meth:`objects` walks after the model and its settings."""
        return self.units, self.all_posts or self.posts, self.all_members or self.members, self.stories

    @property
    def listed_posts(self) -> tuple[Post, ...]:
        """Current star-rated posts (not revoked), most stars first."""
        posts, standings = _get(self, "posts"), _get(self, "relations").standings

        def again(inputs: tuple, listed: tuple) -> tuple:  # (a post's edit: the same order, with the post made again)
            places = remade_in_place(inputs[0], posts) if inputs[1] is standings else None
            if places is None:
                return make()
            by_id = {_get(posts[i], "id"): posts[i] for i in places}
            return tuple(by_id.get(_get(p, "id"), p) for p in listed) if by_id else listed

        def make() -> tuple:
            return tuple(sorted((p for p in posts if p.status != stars.REVOKED),
                                key=lambda p: (-p.stars, p.status != stars.COMMENDED, p.id)))
        return while_same(self, "listed posts", (posts, standings), make, again=again)


def while_same(model: Model, name: str, inputs: tuple, make: Callable[[], Any],
               alike: Callable[[], Any] | None = None, again: Callable[[tuple, Any], Any] | None = None) -> Any:
    """``make()``, a pure function of ``inputs`` (some of ``model``'s tuples and tables: the objects themselves,
    never changed), or what it gave before for the very same objects: a model made from this one while they are
    the same (by ``dataclasses.replace``; ``serve``'s rebuild after a story's edit) finds it (:attr:`Model.kept_while_same`).
    For what the pages are listed from over the whole site (the posts in their list order, the sitemap's parts):
    not made again, at 10,000 posts, by a rebuild that changed none of it. (Read past the tracking of the model:
    what ``make`` reads is its inputs.) ``alike()``: all that ``make`` reads of its inputs, when that is less than
    they hold (the members' ids, for their addresses): inputs that are other objects but give an equal ``alike()``
    (a member's pledge edited) keep the value too. ``again(inputs, value)``: ``make()`` worked out from what it gave
    for other ``inputs`` (the value's parts that none of the changed inputs made taken as they are)."""
    table = _get(model, "kept_while_same")
    found = table.get(name)
    if found is not None and len(found[0]) == len(inputs) and all(map(is_, found[0], inputs)):
        return found[1]
    key = alike() if alike is not None else None
    if found is not None and key is not None and found[2] == key:
        table[name] = (inputs, found[1], key)
        return found[1]
    value = again(found[0], found[1]) if again is not None and found is not None else make()
    table[name] = (inputs, value, key)
    return value


# ((rules, evaluation files' digests, posts' approvals and decisions), month → file id, post id → month → scores,
# latest month, standings) of the last whole replay of the evaluations in this process that found no problem, or
# the replay made from it (Builder._replayed_again); made by ``serve`` only, past its first build (a process's other
# builds would hold a city's scores for nothing)
_LAST_REPLAY: list[tuple] = []


def _month_score(entries: Rec, pid: str, scores: Rec, month: str) -> stars.MonthScore:
    """A post's scores of ``month`` as the replay reads them: its entry (``scores``) in that month's file."""
    path, line, _ = entries.where(pid)
    return stars.MonthScore(month, stars.flat_scores(scores), scores["note"], path, line)


def _standing(settings: Settings, post: Post, record: dict[str, stars.MonthScore], as_of: str | None) -> stars.Standing:
    """An approved post's standing from its scores by month (``record``), up to ``as_of``."""
    decision = (post.decision["date"], post.decision["reason"]) if post.decision else None
    return stars.standing(settings.rules, post.approval["date"], record, as_of, decision)


def remade_in_place(before: tuple, now: tuple) -> list[int] | None:
    """The places where ``now`` holds other objects than ``before`` with the same ids (objects made again: a post's
    edit), when nothing else differs; else None."""
    if len(before) != len(now):
        return None
    places = list(compress(range(len(now)), map(is_not, before, now)))
    if any(_get(before[i], "id") != _get(now[i], "id") for i in places):
        return None
    return places


def _put(objects: tuple, made: dict[str, Any], keeps: Callable[[Any], Any]) -> tuple:
    """``objects`` (sorted by id) with the objects of ``made`` (id → the object made again, or None) in their places:
    each of them that ``keeps``, where the one of its id was or belongs; the others out."""
    found = list(objects)
    for oid, obj in sorted(made.items()):
        at = bisect.bisect_left(found, oid, key=_ID)
        if at < len(found) and found[at].id == oid:
            del found[at]
        if obj is not None and keeps(obj):
            found.insert(at, obj)
    return tuple(found) if len(found) != len(objects) or any(map(is_not, found, objects)) else objects


_ID = operator.attrgetter("id")


def _unit_posts(posts: dict[str, Post]) -> dict[str, tuple[Post, ...]]:
    """Unit id → its public posts (:attr:`Relations.unit_posts`)."""
    found: dict[str, list[Post]] = {}
    for post in posts.values():
        if post.public:
            found.setdefault(post.unit.id, []).append(post)
    return {uid: tuple(posts) for uid, posts in found.items()}


def _discussed_changed(before: tuple[Member, ...], members: dict[str, Member], changed: list[str]) -> tuple[Member, ...]:
    """:attr:`Model.discussed` of a model whose posts and standings are those of the model before (``before``:
    its discussed members) and whose members ``changed`` (ids) were made again (or dropped)."""
    again = set(changed)
    found = [m for m in before if m.id not in again]
    found += [member for member in map(members.get, changed)
              if member is not None and member.public and member.under_discussion]
    return tuple(sorted(found, key=lambda m: m.id))


def _same_fields(before: Any, now: Any) -> bool:
    """Whether two model objects of a class hold the same: the same model objects, equal values."""
    for name in _field_names(type(now)):
        a, b = _get(before, name), _get(now, name)
        if a is b or (type(a) is tuple and type(b) is tuple and len(a) == len(b) and all(map(_same_item, a, b))):
            continue
        if type(a) is tuple or type(a) is not type(b) or a != b:
            return False
    return True


def _same_item(a: Any, b: Any) -> bool:
    return a is b or (type(a) is str and type(b) is str and a == b)


def _names_same(named: tuple, ids: Sequence[str], table: dict[str, Any]) -> bool:
    """Whether ``named``, the objects a kept object names, are the objects that ``ids`` name in ``table`` now."""
    return len(named) == len(ids) and all(obj is table.get(i) for obj, i in zip(named, ids))


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _board_order(member: "Member") -> tuple:
    """Where a member stands on a post's board and in its lists: by ``order``, then by id."""
    return member.order, member.id


def _records(value: Sequence[dict]) -> Sequence[dict]:
    """A member's list of records as the model keeps it: read-only (a :class:`Packed` already is)."""
    return value if type(value) is Packed else tuple(value)


def _newest_first(story: "Story") -> tuple:
    return story.date, story.id


class _ById(Mapping):
    """The objects of one kind of a model by id, looked up in its index of every object by key (``kind:id``)."""

    def __init__(self, index: dict[str, Any], kind: str, objects: tuple):
        self.index, self.prefix, self.objects = index, kind + ":", objects

    def __getitem__(self, oid: str) -> Any:
        return self.index[self.prefix + oid]

    def __iter__(self) -> Iterator[str]:
        return (obj.id for obj in self.objects)

    def __len__(self) -> int:
        return len(self.objects)


class _Published(dict):
    """The photos published before the story ``sid`` is made, by digest, as :meth:`Builder.published_size` finds
    them when the stories are made in turn (by id, after the members): the members' photos and those of the
    stories before it, made the first time the table is read (a story that shows a photo by its published
    address); the story's own photos are put in as it asks for them (:meth:`Builder.photo`)."""

    def __init__(self, members: tuple, story_photos: dict[str, tuple], sid: str):
        super().__init__()
        self._before: tuple | None = (members, story_photos, sid)

    def get(self, key: str, default: Any = None) -> Any:
        if self._before is not None:
            members, story_photos, sid = self._before
            self._before = None
            own = dict(self)
            self.update((m.photo.digest, m.photo) for m in members if m.photo is not None)
            self.update((ref.digest, ref) for other, photos in story_photos.items() if other < sid
                        for _, ref in photos)
            self.update(own)
        return super().get(key, default)


def _by_file(links: tuple) -> dict[str, list]:
    """Links (each starts with its story's file) by file, in their order."""
    found: dict[str, list] = {}
    for link in links:
        found.setdefault(link[0], []).append(link)
    return found


class Builder:
    def __init__(self, raw: Raw, problems: Problems, markdown: "MarkdownRenderer | None" = None,
                 base_url: str | None = None, jobs: int = 1, previous: Model | None = None,
                 previous_objects: dict[str, Any] | None = None, only_records: bool = False):
        self.raw, self.problems = raw, problems
        # a model built from these files before without any problem (``serve``'s last): see :meth:`kept`; and its
        # units, posts, members and stories by key ("post:<id>"), if the caller has them at hand
        self.previous, self.previous_objects = previous, previous_objects
        # whether no file but the records' may have changed since ``previous`` was built (no photo, no folder's
        # entries: the caller watches them and says so), see :meth:`changed_since`
        self.only_records = only_records
        self._kept: Callable[[str, Any], Any] = lambda key, rec: None
        self._changed_stories: list[str] = []  # the stories whose files changed since ``previous`` (changed_since)
        self._changed_posts: list[str] = []  # ... and the posts
        self._posts_made: dict[str, Post | None] = {}  # posts made already (posts_again): made_afresh takes them
        self._members_made: dict[str, Member | None] = {}  # ... and members (members_again)
        self._making: list[tuple[str, images.ImageRef]] | None = None  # the photos of the story being made
        self.story_photos: dict[str, tuple[tuple[str, images.ImageRef], ...]] = {}  # (see Model.story_photos)
        self.jobs = jobs  # processes that may check the photos (images.inspected_ahead)
        self.pid = os.getpid()  # (the process the model is built in: see replayed)
        self.base_url = base_url  # build --base-url / the preview address: an input, never written into a record
        self.renderer = markdown or PlainMarkdown()  # the incremental core's renders once, in parallel
        self.images: dict[str, images.ImageRef] = {}
        self.bad_images: set[str] = set()
        self._good_photos: dict[str, images.ImageRef] = {}  # a photo's path as written → the photo, once checked
        # the digest of each published photo's bytes → the photo: a story's inline photos that point at one of its
        # sizes are given their sizes by it (sized_images; not each size's path: a city has tens of thousands)
        self.published: dict[str, images.ImageRef] = {}
        self._photo_files: dict[str, Path | str] = {}  # see photo_file
        self._folders: dict[str, Path | None] = {}  # a photo folder → where it really is (None: not inside content/)
        self.external: list[tuple[str, str]] = []  # (file, URL): the stories' links out of the site
        self.internal: list[tuple[str, int, int, str, str]] = []  # (file, line, column, as written, address)

    def error(self, rec: Rec, key: str | None, message: str) -> None:
        path, line, col = rec.where(key)
        self.problems.add(path, line, col, message)

    # -- references -------------------------------------------------------------------------
    def ref(self, rec: Rec, key: str, table: dict, what: str, folder: str, value: str | None = None):
        value = rec[key] if value is None else value
        target = table.get(value)
        if target is not None:
            return target
        known = value in getattr(self.raw, folder) or f"{folder}/{value}" in self.raw.broken
        if not known:  # a record that failed to load was reported already
            self.error(rec, key, f"找不到{what} `{value}`{suggest(value, table)}：请确认 content/{folder}/"
                                 f"{value}.yaml 存在，或改正编号。")
        return target

    def image(self, rec: Rec, key: str, src: str, line: int | None = None, col: int = 0) -> images.ImageRef | None:
        """Check a photo path (relative to content/) and the file itself."""
        ref = self.photo(rec, key, src, line, col)
        if ref is not None and self._making is not None:
            self._making.append((src, ref))
        return ref

    def photo(self, rec: Rec, key: str, src: str, line: int | None = None, col: int = 0) -> images.ImageRef | None:
        ref = self._good_photos.get(src)
        if ref is not None:  # (the same path as written, checked already: a photo shown by many members or stories)
            return ref

        def report(message: str) -> None:  # (where the path is written: found only for a problem)
            path, rline, rcol = rec.where(key)
            self.problems.add(path, *((rline, rcol) if line is None else (line, col)), message)

        norm = posixpath.normpath(src)
        if _bad_photo_path(src, norm):
            report(f"照片路径 `{src}` 不合规：请写 content/ 下的相对路径，如 images/members/x.jpg。")
            return None
        if norm in self.images:
            ref = self._good_photos[src] = self.images[norm]
            self.published[ref.digest] = ref  # (published already, unless the table is one story's: see _Published)
            return ref
        if norm in self.bad_images:
            return None
        file = self.photo_file(norm)
        if type(file) is str:
            report(file.format(src=src, norm=norm))  # (constant templates: safe)
            return None
        try:
            ref = images.inspect(file, norm)
        except images.ImageProblem as exc:
            self.bad_images.add(norm)
            report(f"照片 `content/{norm}`：{exc}")
            return None
        self.publish(src, norm, ref)
        return ref

    def publish(self, src: str, norm: str, ref: images.ImageRef) -> None:
        """Publish ``ref``, the photo at ``src`` as written (``norm``: its normal form): its sizes go out."""
        self.images[norm] = self._good_photos[src] = ref
        self.published[ref.digest] = ref

    def published_size(self, path: str) -> images.ImageRef | None:
        """The published photo one of whose sizes is at ``path`` (site-relative: ``media/<digest>-<width>.jpg``)."""
        name = path[len(images.MEDIA):-4] if path.startswith(images.MEDIA) and path.endswith(".jpg") else ""
        ref = self.published.get(name.rpartition("-")[0])
        return ref if ref is not None and any(p == path for _, p in ref.variants()) else None

    def same_photo(self, src: str, ref: images.ImageRef) -> bool:
        """Whether the photo at ``src`` (as written) is ``ref`` still: its file is looked at, nothing is reported."""
        norm = posixpath.normpath(src)
        file = self.photo_file(norm)
        if type(file) is str:
            return False
        try:
            return images.inspect(file, norm) == ref
        except images.ImageProblem:
            return False

    def photo_file(self, norm: str) -> Path | str:
        """The file of a photo (a normal path relative to content/), or what is wrong with it: a message template
        (``{src}``: the path as written, ``{norm}``: its normal form). Found once a path: the model asks for a
        photo of many members, and :meth:`build` for all. A city's photos are in a few folders: each folder is
        resolved once, and a photo that is not a symbolic link costs one ``lstat``."""
        found = self._photo_files.get(norm)
        if found is not None:
            return found
        file = self.raw.content / norm
        try:
            st = os.lstat(file)
        except (OSError, ValueError):
            st = None
        if st is not None and S_ISREG(st.st_mode) and self.real_folder(posixpath.dirname(norm)) is not None:
            found = file  # (a plain file in a folder inside content/)
        else:
            try:
                real = file.resolve()
            except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
                found = "照片 `{src}` 是循环的符号链接，无法读取：请换成照片文件本身。"
            else:
                content = self.real_folder("")
                if content is None or not real.is_relative_to(content):
                    found = "照片 `{src}` 指向 content/ 以外，不予使用。"
                elif not file.is_file():
                    found = "找不到照片 `content/{norm}`：请上传照片，或改正路径（区分大小写）。"
                else:
                    found = file
        self._photo_files[norm] = found
        return found

    def real_folder(self, folder: str) -> Path | None:
        """Where a folder of content/ ("": content/ itself) really is, if it is inside content/ (else None)."""
        if folder not in self._folders:
            content = self.real_folder("") if folder else None
            try:
                real = (self.raw.content / folder).resolve()
            except (OSError, RuntimeError):
                real = None
            if folder and (content is None or real is None or not real.is_relative_to(content)):
                real = None
            self._folders[folder] = real
        return self._folders[folder]

    def member_photos(self) -> list[tuple[Path, str]]:
        """(file, normal path) of each photo the members' pages will show (what :meth:`image` will inspect)."""
        found: dict[str, Path] = {}
        for rec in self.raw.members.values():
            src = rec["photo"]
            if src and rec["consent"]["photo"] and rec["consent"]["public"]:
                norm = posixpath.normpath(src)
                if norm not in found and not _bad_photo_path(src, norm):
                    file = self.photo_file(norm)
                    if type(file) is not str:
                        found[norm] = file
        return [(file, norm) for norm, file in found.items()]

    # -- the stages of the model --------------------------------------------------------------
    def settings(self) -> Settings | None:
        site = self.raw.site
        if site is None:
            return None
        ev = site["evaluation"]
        rules = stars.Rules(
            dimensions=dict(ev["dimensions"]), sources=dict(ev["sources"]), pass_mark=ev["pass_mark"],
            revoke_below=ev["revoke"]["below"], consecutive_failures=ev["revoke"]["consecutive_failures"],
            fail_at_zero_stars=ev["revoke"]["fail_at_zero_stars"], missing_month=ev["missing_month"],
            approval_month_cutoff=ev["approval_month_cutoff"], first_batch_end=ev["first_batch_end"],
            year_end_review=ev["year_end_review"],
        )
        base_url = self.base_url or site["base_url"]
        path = "/" + base_url.split("://", 1)[1].split("/", 1)[1] if base_url.count("/") > 2 else "/"
        return Settings(site["title"], base_url, path, site["language"], dict(site["organisation"]),
                        dict(site["districts"]), dict(site["sectors"]), rules, site["page_size"],
                        print=site["print"], editing=site["editing"])

    def build(self) -> Model | None:
        settings = self.settings()
        if settings is None:
            return None
        if self.previous is not None:
            if self.previous.settings != settings or self.previous.content != self.raw.content:
                self.previous = None  # (its objects were made under other settings: none is this build's)
            else:
                settings = self.previous.settings  # (the same object: its objects' digests name it)
        # (the photos checked ahead on every core: a clean build's; a rebuild with a model before looks at those it
        # asks for, the others' files are where they were)
        with images.inspected_ahead(self.member_photos() if self.previous is None else (), self.jobs):
            return self.build_with(settings)

    def kept(self) -> "Callable[[str, Rec], Any]":
        """``kept(key, rec)``: the object of the previous model (``self.previous``) that ``rec`` made, if its file's
        bytes are the same (else None); the caller reuses it when the objects it names are the same as well.

        A unit, post or member is made from its own file and the objects it names alone (what the model relates
        to it is in :class:`Relations`), and the checks of its file come out the same with them: an object of a
        model whose build reported no problem, made under the same settings, is the one this build would make
        again. The same object keeps its digest (incremental/tracking.py does not hash it again), and a page
        that read it is still the same."""
        previous = self.previous
        if previous is None:
            return lambda key, rec: None
        before, now = previous.sources, self.raw.digests
        objects = self.previous_objects if self.previous_objects is not None else {key: obj for key, obj in (
            *((f"unit:{u.id}", u) for u in previous.units), *((f"post:{p.id}", p) for p in previous.all_posts),
            *((f"member:{m.id}", m) for m in previous.all_members), *((f"story:{s.id}", s) for s in previous.stories))}

        def kept(key: str, rec: Rec) -> Any:
            found = now.get(rec.path)
            return objects.get(key) if found is not None and before.get(rec.path) == found else None
        return kept

    def build_with(self, settings: Settings) -> Model:
        raw = self.raw
        kept = self._kept = self.kept()
        changed = self.changed_since()
        if changed == [] and not self._changed_posts and self.previous_objects is not None:  # (only stories' files:
            return self.with_stories_changed(settings)  # serve's usual rebuild)
        if changed is not None and self._changed_posts:  # (posts' files: a post's description edited)
            if not self._changed_stories and self.previous_objects is not None:
                posts_made = self.posts_again(self._changed_posts)
                model = self.with_alone_changed(posts_made, self.members_again(changed, posts_made))
                if model is not None:
                    return model
            changed = None  # (made afresh: the posts and members made again are taken as they are)
        if changed is not None:
            made = self.members_again(changed)
            if not self._changed_stories and self.previous_objects is not None:  # (only members': a pledge edited)
                model = self.with_alone_changed({}, made)
                if model is not None:
                    return model
            units, posts, members, serving, staff = self.with_members_changed(made)
            # (no post and no evaluation file changed: the standings are the model before's)
            key, recalled = None, (self.previous.as_of, self.previous.relations.standings)
        else:
            units, posts, members, serving, staff = self.made_afresh(settings, kept)
            key, recalled = self.recalled_standings(settings, posts)
        # The standings and the stories' Markdown are made from different files and read nothing of each other:
        # the replay of the evaluations runs in a worker while the stories are rendered (:meth:`evaluations`)
        replay = None if recalled is not None else functools.partial(self.replayed, settings, posts)
        same_stories = self.kept_stories(posts, members, photos_same=changed is not None)
        ready, replayed = self.renderer.prerender(
            self.story_bodies(settings, [sid for sid in sorted(raw.stories) if sid not in same_stories]), replay)
        as_of, standings = self.evaluations(key, recalled, replayed)
        stories = self.stories(settings, posts, members, ready, same_stories)
        named: dict[tuple[type, str], list[Story]] = {}  # (class, id) of a post or member → the stories naming it
        for story in stories:
            for obj in (*story.posts, *story.members):
                found = named.setdefault((type(obj), obj.id), [])
                if not found or found[-1] is not story:
                    found.append(story)
        if changed is not None:  # (only members changed: the units and posts are the model before's, in its tuples
            # and tables, and what was worked out from those holds: while_same, the posts in list order, the sitemap's)
            same = self.previous
            unit_list, post_list, all_posts = same.units, same.posts, same.all_posts
            unit_posts, kept_while_same = same.relations.unit_posts, dict(same.kept_while_same)
        else:
            unit_list, post_list, all_posts = \
                tuple(units.values()), tuple(p for p in posts.values() if p.public), tuple(posts.values())
            unit_posts, kept_while_same = _unit_posts(posts), {}
        relations = Relations(
            unit_posts=unit_posts,
            post_members=serving,
            post_stories={oid: tuple(found) for (cls, oid), found in named.items() if cls is Post},
            member_stories={oid: tuple(found) for (cls, oid), found in named.items() if cls is Member},
            standings=standings)
        return Model(
            settings=settings,
            units=unit_list,
            posts=post_list,
            members=tuple(m for m in members.values() if m.public),
            stories=tuple(stories), as_of=as_of, images=self.images, content=raw.content,
            all_members=tuple(members.values()), all_posts=all_posts,
            external_links=tuple(self.external), internal_links=tuple(self.internal),
            broken=self.broken_pages(posts, members), sources=dict(raw.digests), story_photos=self.story_photos,
            staff=staff, relations=relations,
            honoured=tuple(m for m in members.values() if m.public and m.honours),
            discussed=None if changed is None else _discussed_changed(self.previous.discussed, members, changed),
            kept_while_same=kept_while_same,
        )

    def made_afresh(self, settings: Settings, kept: "Callable[[str, Rec], Any]") -> tuple:
        """(units, posts, members, each post's public members, each post's staff) from every record: the objects of
        the model before (``kept``) where their files and the objects they name are the same."""
        raw = self.raw
        units: dict[str, Unit] = {}
        for uid, rec in sorted(raw.units.items()):
            same = kept(f"unit:{uid}", rec)
            if same is not None:
                units[uid] = same
                continue
            if rec["district"] not in settings.districts:
                self.error(rec, "district", f"区县编号 `{rec['district']}` 不在 site.yaml 的 districts 里"
                                            f"{suggest(rec['district'], settings.districts)}。")
            if rec["sector"] not in settings.sectors:
                self.error(rec, "sector", f"行业编号 `{rec['sector']}` 不在 site.yaml 的 sectors 里"
                                          f"{suggest(rec['sector'], settings.sectors)}。")
            units[uid] = Unit(uid, rec["name"], rec["branch"], rec["district"], rec["sector"], rec["address"],
                              rec["service_hall"], rec["website"])

        posts: dict[str, Post] = {}
        for pid, rec in sorted(raw.posts.items()):
            same = kept(f"post:{pid}", rec)
            if same is not None and same.unit is units.get(rec["unit"]):
                posts[pid] = same
                continue
            post = self._posts_made[pid] if pid in self._posts_made else self.post(pid, rec, units)
            if post is not None:
                posts[pid] = post

        members: dict[str, Member] = {}
        reused = 0  # members taken from the model before
        for mid, rec in sorted(raw.members.items()):
            if mid in self._members_made:
                member = self._members_made[mid]
                if member is not None:
                    members[mid] = member
                continue
            same = kept(f"member:{mid}", rec)
            if same is not None and _names_same(same.posts, rec["post"], posts):
                photo = None  # (the photo's file is looked at again: its bytes may have changed, not the member's)
                if rec["photo"] and rec["consent"]["photo"] and rec["consent"]["public"]:
                    photo = self.image(rec, "photo", rec["photo"])
                if photo == same.photo:
                    members[mid] = same
                    reused += 1
                    continue
            member = self.member(mid, rec, posts)
            if member is not None:
                members[mid] = member
        previous = self.previous
        if previous is not None and reused == len(members) == len(previous.all_members):
            # (every member is the one before, serving at the same posts: so are the posts' members)
            serving, staff = previous.relations.post_members, previous.staff
        else:
            serving, staff = self.serving(members)
        return units, posts, members, serving, staff

    def post(self, pid: str, rec: Rec, units: Mapping[str, Unit]) -> Post | None:
        """The post ``pid`` made from its record (None: its unit is missing, reported)."""
        unit = self.ref(rec, "unit", units, "单位", "units")
        approval, revoked = rec["approval"], rec["revoked"]
        if approval and approval["date"] < rec["declared"]:
            self.error(approval, "date", "批复日期早于申报日期：请核对。")
        if revoked and not approval:
            self.error(rec, "revoked", "未批复的岗位不能摘牌：请删除 revoked，或先填写 approval。")
        elif revoked and revoked["date"] < approval["date"]:
            self.error(revoked, "date", "摘牌日期早于批复日期：请核对。")
        if unit is None:
            return None
        return Post(pid, rec["name"], rec["kind"], unit, rec["location"], rec["description"], rec["declared"],
                    approval, rec["feedback"], revoked)

    def posts_again(self, pids: list[str]) -> dict[str, Post | None]:
        """The posts ``pids`` made again from their records, among the units of the model before (kept for
        :meth:`made_afresh`, which then takes them: their problems are reported once)."""
        units = _ById(self.previous_objects, "unit", self.previous.units)
        self._posts_made = {pid: self.post(pid, self.raw.posts[pid], units) for pid in pids}
        return self._posts_made

    def member(self, mid: str, rec: Rec, posts: dict[str, Post]) -> "Member | None":
        """The member ``mid`` made from its record (None: a post it names is missing, reported)."""
        found = [self.ref(rec, "post", posts, "示范岗", "posts", pid) for pid in rec["post"]]
        member_posts = [p for p in found if p is not None]
        for pid in rec["pledges"]:
            if pid not in rec["post"]:
                self.error(rec["pledges"], pid, f"`pledges` 里的 `{pid}` 不是这名党员所在的示范岗"
                                                f"{suggest(pid, rec['post'])}：这里只能写 `post` 里的编号"
                                                f"（{'、'.join(rec['post'])}），请改正或删除这一项。")
        std = rec["standard"]
        order = [("proposed", std["proposed"]), ("comment_from", std["comment_from"]),
                 ("comment_until", std["comment_until"]), ("set", std["set"])]
        dated = [(k, d) for k, d in order if d is not None]
        for (k1, d1), (k2, d2) in zip(dated, dated[1:]):
            if d2 < d1:
                self.error(std, k2, f"`{k2}` 的日期早于 `{k1}`：标准的三个步骤应按时间先后。")
        photo = None
        if rec["photo"] and rec["consent"]["photo"] and rec["consent"]["public"]:
            photo = self.image(rec, "photo", rec["photo"])
        if not member_posts or len(member_posts) != len(found):
            return None
        return Member(mid, rec["name"], tuple(member_posts), rec["position"], rec["order"], rec["consent"], photo,
                      rec["pledge"], rec["pledges"], tuple(rec["roles"]), std, _records(rec["records"]),
                      _records(rec["assessments"]), _records(rec["honours"]))

    def changed_since(self) -> list[str] | None:
        """The ids of the members whose files are not those the model before was built from, when no file but
        members' and stories' changed since (``only_records``: no photo, no folder's entries; and no other content
        file: the same files, none broken); else None (the model is made afresh)."""
        previous, raw = self.previous, self.raw
        if previous is None or not self.only_records or raw.broken:
            return None
        before, now = previous.sources, raw.digests
        if len(before) != len(now):
            return None
        if list(before) == list(now):  # (in the same order, as the records of a rebuild told what changed are: in C)
            paths = list(compress(now, map(ne, before.values(), now.values())))
        elif before.keys() == now.keys():
            paths = [path for path, found in now.items() if before[path] != found]
        else:
            return None
        members: list[str] = []
        stories: dict[str, str] | None = None  # (a story's path → its id, made when a changed file is not a member's)
        for path in paths:
            mid = _record_id(path, Member, raw.members)
            if mid is not None:
                members.append(mid)
                continue
            pid = _record_id(path, Post, raw.posts)
            if pid is not None:
                self._changed_posts.append(pid)
                continue
            if stories is None:
                stories = {story.path: sid for sid, story in raw.stories.items()}
            if path not in stories:
                self._changed_posts.clear()
                return None  # (a unit, evaluation, site.yaml ...)
            self._changed_stories.append(stories[path])
        self._changed_posts.sort()
        return sorted(members)

    def with_stories_changed(self, settings: Settings) -> Model:
        """What :meth:`build_with` makes when no file but stories' changed since the model before (:meth:`changed_since`
        found no member among them), without a pass over every object: the model before's units, posts, members,
        standings and tuples as they are, the changed stories made again and put in their places, and the stories
        of the posts and members they name, before or now, worked out again. Its photos and links, and their order,
        are those :meth:`build_with` would have (tests/test_incremental.py compares the two)."""
        previous, raw = self.previous, self.raw
        sids = sorted(self._changed_stories)
        objects = self.previous_objects
        posts, members = _ById(objects, "post", previous.all_posts), _ById(objects, "member", previous.all_members)
        self.images = dict(previous.images)  # (no photo changed: what a story shows is published already)
        self.story_photos = {sid: photos for sid, photos in previous.story_photos.items() if sid not in sids}
        ready, _ = self.renderer.prerender(self.story_bodies(settings, sids), None)
        made: dict[str, Story | None] = {}
        links: dict[str, tuple[list, list]] = {}  # a story's file → its links out of the site and into it
        for sid in sids:
            self.published = _Published(previous.all_members, self.story_photos, sid)
            marks = len(self.external), len(self.internal)
            made[sid] = self.story_with_photos(sid, settings, posts, members, ready)
            links[raw.stories[sid].path] = self.external[marks[0]:], self.internal[marks[1]:]
        self.published = {}
        before = {story.id: story for story in previous.stories if story.id in made}
        stories = [made[story.id] if story.id in made else story for story in previous.stories]
        stories = [story for story in stories if story is not None]
        if any(story is not None and story.date != before[sid].date for sid, story in made.items()):
            stories.sort(key=_newest_first, reverse=True)
        photos_same = all(self.story_photos.get(sid) == previous.story_photos.get(sid) for sid in sids)
        external, internal = previous.external_links, previous.internal_links
        grouped = (_by_file(external), _by_file(internal))
        if any(grouped[n].get(path, []) != found[n] for path, found in links.items() for n in (0, 1)):
            for n, by_file in enumerate(grouped):  # (in the order the builder registers them: story by story, by id)
                by_file.update((path, found[n]) for path, found in links.items())
            external, internal = (tuple(link for sid in sorted(raw.stories) for link in by_file.get(raw.stories[sid].path, ()))
                                  for by_file in grouped)
        relations = previous.relations
        if any(made[sid] is not before[sid] for sid in sids):
            tables = {Post: dict(relations.post_stories), Member: dict(relations.member_stories)}
            again = [story for story in made.values() if story is not None]
            for story in (*before.values(), *again):
                for obj in (*story.posts, *story.members):
                    table = tables[type(obj)]
                    naming = [s for s in table.get(obj.id, ()) if s.id not in made]
                    naming += [s for s in again if any(o is obj for o in (*s.posts, *s.members))]
                    naming.sort(key=_newest_first, reverse=True)
                    if naming:
                        table[obj.id] = tuple(naming)
                    else:
                        table.pop(obj.id, None)
            relations = Relations(unit_posts=relations.unit_posts, post_members=relations.post_members,
                                  post_stories=tables[Post], member_stories=tables[Member],
                                  standings=relations.standings)
        return dataclasses.replace(
            previous, stories=tuple(stories), images=previous.images if photos_same else self.images_in_order(previous),
            external_links=external, internal_links=internal, sources=dict(raw.digests), story_photos=self.story_photos,
            relations=relations)

    def images_in_order(self, previous: Model) -> dict[str, images.ImageRef]:
        """Every photo published, in the order :meth:`build_with` publishes them (the members' photos, by id, then
        each story's photos in its turn, by id) when its members are the model before's."""
        found: dict[str, images.ImageRef] = {}
        for member in previous.all_members:
            photo = member.photo
            if photo is not None and photo.src not in found:
                found[photo.src] = photo
        for sid in sorted(self.story_photos):
            for src, ref in self.story_photos[sid]:
                found.setdefault(posixpath.normpath(src), ref)
        return found

    def members_again(self, changed: Iterable[str], posts_made: dict[str, Post] | None = None
                      ) -> dict[str, "Member | None"]:
        """The members ``changed`` (ids) made again from their records, among the posts of the model before and those
        made again (``posts_made``: :meth:`posts_again`) (None: dropped for a problem, reported; kept for
        :meth:`made_afresh`, which then takes them)."""
        previous = self.previous
        posts: Mapping[str, Post] = _ById(self.previous_objects, "post", previous.all_posts) \
            if self.previous_objects is not None else {p.id: p for p in previous.all_posts}
        if posts_made:
            posts = ChainMap(posts_made, posts)
        made = {mid: self.member(mid, self.raw.members[mid], posts) for mid in sorted(changed)}
        self._members_made.update(made)
        return made

    def with_alone_changed(self, posts_made: dict[str, "Post | None"], members_made: dict[str, "Member | None"]
                           ) -> Model | None:
        """What :meth:`build_with` makes when no file but the posts' of ``posts_made`` and the members' of
        ``members_made`` (made again: :meth:`posts_again`, :meth:`members_again`) changed since the model before, each
        post with the same unit, approval and decision (the standings are the same) and each member public or not as
        before and showing the same photo (else None: the model is made by :meth:`build_with`): the model before
        with them put in their places in its sorted tuples, the members serving at those posts made again (they name
        the new objects), the posts' members worked out again for the posts they serve at, before or now, and the
        stories that name any of them made again as they were but naming the new objects (a story's HTML is made from
        its own file, which content files exist and its photos: none changed). Every member's photo is published
        as before; the stories' links and photos are the model before's. Compared with :meth:`build_with`'s by
        tests/test_incremental.py."""
        previous, objects = self.previous, self.previous_objects
        before_posts = {pid: objects.get(f"post:{pid}") for pid in posts_made}
        for pid, post in posts_made.items():
            was = before_posts[pid]
            if post is None or was is None or post.unit is not was.unit or post.approval != was.approval \
                    or post.decision != was.decision:
                return None
        made = dict(members_made)
        if posts_made:  # (who serves at a public post is its staff: else every member is looked at)
            at_posts = {m.id for pid in posts_made for m in previous.staff.get(pid, ())} \
                if all(post.public for post in posts_made.values()) else \
                {m.id for m in previous.all_members if any(p.id in posts_made for p in m.posts)}
            made.update(self.members_again(at_posts.difference(made), posts_made))
        before = {mid: objects.get(f"member:{mid}") for mid in made}
        for mid, member in made.items():
            was = before[mid]
            if member is None or was is None or member.public != was.public or member.photo != was.photo:
                return None
        serving, staff = self.serving_changed(previous, made, before)
        again: dict[int, Any] = {id(was): made[mid] for mid, was in before.items()}  # (an old object's id → the new)
        again.update((id(was), posts_made[pid]) for pid, was in before_posts.items())
        relations = previous.relations
        naming = {id(s): s for mid in made for s in relations.member_stories.get(mid, ())}
        naming.update((id(s), s) for pid in posts_made for s in relations.post_stories.get(pid, ()))
        stories = {sid: dataclasses.replace(story, posts=tuple(again.get(id(p), p) for p in story.posts),
                                            members=tuple(again.get(id(m), m) for m in story.members))
                   for sid, story in naming.items()}  # (by the id of the story before)
        changes: dict[str, Any] = {"post_members": serving}
        if stories:
            tables = {Post: dict(relations.post_stories), Member: dict(relations.member_stories)}
            for story in naming.values():
                for obj in (*story.posts, *story.members):
                    table = tables[type(obj)]
                    table[obj.id] = tuple(stories.get(id(s), s) for s in table[obj.id])
            changes.update(post_stories=tables[Post], member_stories=tables[Member])
        public = {pid: post for pid, post in posts_made.items() if post.public}
        if public:
            unit_posts = changes["unit_posts"] = dict(relations.unit_posts)
            for pid, post in public.items():
                unit_posts[post.unit.id] = tuple(post if p.id == pid else p for p in unit_posts[post.unit.id])
        return dataclasses.replace(
            previous, posts=_put(previous.posts, public, lambda p: True),
            all_posts=_put(previous.all_posts, posts_made, lambda p: True),
            members=_put(previous.members, made, lambda m: m.public),
            all_members=_put(previous.all_members, made, lambda m: True),
            honoured=_put(previous.honoured, made, lambda m: m.public and m.honours),
            discussed=_discussed_changed(previous.discussed, made, list(made)),
            stories=tuple(stories.get(id(s), s) for s in previous.stories) if stories else previous.stories,
            staff=staff, relations=dataclasses.replace(relations, **changes), sources=dict(self.raw.digests),
            kept_while_same=dict(previous.kept_while_same))

    def with_members_changed(self, made: dict[str, "Member | None"]) -> tuple:
        """What :meth:`made_afresh` returns, when only the members of ``made`` (and stories) may differ from the model
        before's (:meth:`changed_since`): its units and posts, its members but those made again from their records
        (``made``: :meth:`members_again`), the posts' members worked out again for the posts those serve at, before
        or now."""
        previous = self.previous
        changed = list(made)
        units = {u.id: u for u in previous.units}
        posts = {p.id: p for p in previous.all_posts}
        members = {m.id: m for m in previous.all_members}
        before = {mid: members[mid] for mid in changed}
        for mid, member in made.items():
            if member is not None:
                members[mid] = member
            else:
                del members[mid]
        # every member's photo is published (as the members were made, in their order: a story's photo may be one)
        for member in members.values():
            photo = member.photo
            if photo is not None and photo.src not in self.images:
                self.images[photo.src] = photo
                self.published[photo.digest] = photo
        if not changed:
            return units, posts, members, previous.relations.post_members, previous.staff
        serving, staff = self.serving_changed(previous, members, before)
        return units, posts, members, serving, staff

    def serving(self, members: dict[str, Member]) -> tuple[dict[str, tuple[Member, ...]], dict[str, tuple[Member, ...]]]:
        """(post id → its public members, post id → everyone serving there, consenting or not), in board order,
        by post id."""
        serving: dict[str, list[Member]] = {}
        staff: dict[str, list[Member]] = {}
        for m in sorted(members.values(), key=_board_order):
            for post in m.public_posts:
                staff.setdefault(post.id, []).append(m)
                if m.public:
                    serving.setdefault(post.id, []).append(m)
        self.crowded(serving)
        return ({pid: tuple(serving[pid]) for pid in sorted(serving)},
                {pid: tuple(staff[pid]) for pid in sorted(staff)})

    def serving_changed(self, previous: Model, members: dict[str, Member], before: dict[str, Member]) -> tuple:
        """What :meth:`serving` returns for ``members``, worked out from the model before's for the posts that the
        members made again (``before``: as they were) serve at, before or now."""
        changed = [members[mid] for mid in before if mid in members]
        touched = {post.id for m in (*before.values(), *changed) for post in m.public_posts}
        serving, staff = dict(previous.relations.post_members), dict(previous.staff)
        for pid in touched:
            found = [m for m in staff.get(pid, ()) if m.id not in before]
            found += [m for m in changed for post in m.public_posts if post.id == pid]
            found.sort(key=_board_order)
            staff[pid] = tuple(found)
            serving[pid] = tuple(m for m in found if m.public)
        self.crowded({pid: serving[pid] for pid in touched})
        return ({pid: found for pid, found in sorted(serving.items()) if found},
                {pid: found for pid, found in sorted(staff.items()) if found})

    def crowded(self, serving: dict[str, Sequence[Member]]) -> None:
        """Report each post of ``serving`` (post id → its public members) with more than a board can show."""
        for pid, found in sorted(serving.items()):
            if len(found) > formats.MAX_MEMBERS_PER_POST:
                self.error(self.raw.posts[pid], None, f"一个示范岗最多公示 {formats.MAX_MEMBERS_PER_POST} 名党员，"
                                                      f"现在有 {len(found)} 名：请拆分岗位。")

    def broken_pages(self, posts: dict, members: dict) -> frozenset[str]:
        """The pages of files that failed to load, or whose record the model dropped for a problem of its own."""
        dropped = [f"posts/{pid}" for pid in self.raw.posts if pid not in posts]
        dropped += [f"members/{mid}" for mid in self.raw.members if mid not in members]
        return frozenset(f"{key}/" for key in (*self.raw.broken, *dropped))

    def evaluations(self, key: bytes | None, kept: tuple | None,
                    replayed: tuple | None) -> tuple[str | None, dict[str, stars.Standing]]:
        """Each approved post's standing from the evaluation files, and the latest evaluated month.

        The whole pass is a function of the evaluation files, the rules and each post's approval and
        revocation decision (``key``, their digest): when those are what an earlier build had and that build's
        pass reported no problem, its standings are taken as they are (``kept``, from ``memo.recall``; a city's
        evaluations are hundreds of thousands of post-months, and a story's or a member's edit changes none
        of them). Else ``replayed`` is what :meth:`replayed` made, in a worker where one is free (the stories'
        Markdown is rendered meanwhile: the replay is 4–5 s of a clean build at 10,000 posts)."""
        if kept is not None:
            as_of, standings = kept
            problems = ()
        else:
            as_of, standings, problems = replayed
        self.problems.items.extend(problems)
        if kept is None and key is not None and not problems:
            keep("model.standings", key, (as_of, stars.kept_standings(standings)))
        return as_of, standings

    def recalled_standings(self, settings: Settings, posts: dict[str, Post]) -> tuple[bytes | None, tuple | None]:
        """(the digest of what the replay reads, (latest month, standings) an earlier build kept for it or None)."""
        key = self.standings_key(settings, posts)
        return key, recall("model.standings", key) if key is not None else None

    def replayed(self, settings: Settings, posts: dict[str, Post]) -> tuple[str | None, dict, list]:
        """(latest month, post id → standing, problems) of the evaluation files' replay, leaving the builder's
        problems as they were (the caller applies all three). Run in a worker (see :meth:`evaluations`), it
        sends the standings back as the cache keeps them when the replay found no problem
        (``stars.kept_standings``: the histories in banks, one pickle each, read when a page needs them)."""
        before = len(self.problems.items)
        as_of, standings = self.replay_evaluations(settings, posts)
        problems = self.problems.items[before:]
        del self.problems.items[before:]
        if os.getpid() != self.pid and not problems:
            standings = stars.kept_standings(standings)
        return as_of, standings, problems

    def standings_key(self, settings: Settings, posts: dict[str, Post]) -> bytes | None:
        """The digest of everything :meth:`replay_evaluations` reads; None when a file's digest is unknown."""
        files = sorted(self.raw.evaluation_files())  # (not their records: the cache may keep those for later)
        if any(found is None for _, _, found in files):
            return None
        approvals = [(pid, post.approval["date"] if post.approval else None,
                      (post.decision["date"], post.decision["reason"]) if post.decision else None)
                     for pid, post in posts.items()]
        return stars.plain_digest((stars.rules_fields(settings.rules), files, approvals))

    def replay_evaluations(self, settings: Settings, posts: dict[str, Post]) -> tuple[str | None, dict]:
        """(the latest evaluated month, approved post id → its standing)."""
        if self.previous is None:  # (serve's rebuilds only start from the last replay: see _replayed_again)
            return self._replay_all(settings, posts)[:2]
        inputs = (stars.rules_fields(settings.rules), {fid: found for fid, _, found in self.raw.evaluation_files()},
                  [(pid, post.approval["date"] if post.approval else None, post.decision) for pid, post in posts.items()])
        again = self._replayed_again(settings, posts, inputs)
        if again is not None:
            return again
        before = len(self.problems.items)
        as_of, standings, by_month, records = self._replay_all(settings, posts)
        # (serve, past its first build: the next rebuild's replay after a score's edit starts from this one's; a
        # build of no serve leaves it, which keeps its inputs: _replayed_again compares them all)
        if os.getpid() == self.pid and len(self.problems.items) == before and None not in inputs[1].values():
            _LAST_REPLAY[:] = [(inputs, by_month, records, as_of, standings)]
        return as_of, standings

    def _replayed_again(self, settings: Settings, posts: dict[str, Post], inputs: tuple) -> tuple[str | None, dict] | None:
        """The replay of the evaluations from the last one in this process (:data:`_LAST_REPLAY`, which found no
        problem), when the same posts, approvals, decisions and rules meet the same evaluation files and months but
        for a few files' contents (a score's edit): the posts whose scores changed in those files are replayed, the
        others keep their standings (the very objects). None when anything else differs, or the changed files would
        bring a problem: then the whole pass runs and reports it."""
        if not _LAST_REPLAY:
            return None
        (rules, files, approvals), by_month, records, as_of, standings = _LAST_REPLAY[0]
        if rules != inputs[0] or approvals != inputs[2] or files.keys() != inputs[1].keys():
            return None
        changed_files = [fid for fid, found in inputs[1].items() if found is None or found != files[fid]]
        if not changed_files or len(changed_files) > 2:
            return None
        month_of_file = {fid: month for month, fid in by_month.items()}
        approved = {pid: stars.month_of(date) for pid, date, _ in approvals if date is not None}
        records, changed = dict(records), set()
        for fid in changed_files:
            rec = self.raw.evaluation(fid)
            month, entries = rec["month"], rec["posts"]
            if month_of_file.get(fid) != month:
                return None
            made = {}
            for pid, scores in entries.items():
                since = approved.get(pid)
                if since is None or month < since:
                    return None  # (a refused evaluation: reported by the whole pass)
                made[pid] = _month_score(entries, pid, scores, month)
            for pid in made.keys() | {pid for pid, found in records.items() if month in found}:
                if records[pid].get(month) != made.get(pid):
                    found = records[pid] = dict(records[pid])
                    if pid in made:
                        found[month] = made[pid]
                    else:
                        del found[month]
                    changed.add(pid)
        standings = dict(standings)
        for pid in sorted(changed):
            standing = standings[pid] = _standing(settings, posts[pid], records[pid], as_of)
            if standing.revoked_on is not None and any(stars.month_end(m) > standing.revoked_on for m in records[pid]):
                return None  # (evaluations after its revocation: reported by the whole pass)
        _LAST_REPLAY[:] = [(inputs, by_month, records, as_of, standings)]
        return as_of, standings

    def _replay_all(self, settings: Settings, posts: dict[str, Post]) -> tuple[str | None, dict, dict, dict]:
        """(the latest evaluated month, approved post id → its standing, month → its file's id, post id → month →
        its scores)."""
        by_month: dict[str, str] = {}  # month → the id of its file (one file's records at a time are made)
        records: dict[str, dict[str, stars.MonthScore]] = {pid: {} for pid in posts}
        # the month of each approved post's approval: evaluations before it are refused
        approved = {pid: stars.month_of(post.approval["date"]) for pid, post in posts.items() if post.approval}
        for fid, rec in self.raw.evaluation_records():
            month = rec["month"]
            if month in by_month:
                self.error(rec, "month", f"{month} 的考评已写在 {self.raw.evaluation_paths[by_month[month]]} 里："
                                         "一个月只能有一个考评文件。")
                continue
            by_month[month] = fid
            entries = rec["posts"]
            for pid, scores in entries.items():
                since = approved.get(pid)
                if since is None or month < since:
                    self.refused_evaluation(entries, pid, month, posts)
                    continue
                records[pid][month] = _month_score(entries, pid, scores, month)
        as_of = max(by_month) if by_month else None
        standings: dict[str, stars.Standing] = {}
        for pid, post in posts.items():
            if post.approval is None:
                continue
            standing = standings[pid] = _standing(settings, post, records[pid], as_of)
            end = standing.revoked_on
            if end is None:
                continue
            for month in sorted(records[pid]):
                if stars.month_end(month) > end:
                    why, todo = revocation_why(standing.revocation, settings.rules, self.raw.posts[pid].path)
                    self.error(self.raw.evaluation(by_month[month])["posts"], pid,
                               f"示范岗 `{pid}` 已于 {end} 摘牌，此后不能再有考评。摘牌的原因：{why}。{todo}")
        return as_of, standings, by_month, records

    def refused_evaluation(self, entries: Rec, pid: str, month: str, posts: dict[str, Post]) -> None:
        """Why a post's scores for ``month`` do not count (none when its own file has a problem, reported there)."""
        post = posts.get(pid)
        if post is None:
            if pid not in self.raw.posts and f"posts/{pid}" not in self.raw.broken:
                self.error(entries, pid, f"找不到示范岗 `{pid}`{suggest(pid, posts)}。")
        elif post.approval is None:
            self.error(entries, pid, f"示范岗 `{pid}` 尚未批复，不能考评：请先在岗位文件里填写 approval。")
        else:
            self.error(entries, pid, f"示范岗 `{pid}` {post.approval['date']} 才批复，不能有 {month} 的考评。")

    def story_bodies(self, settings: Settings, sids: Iterable[str]) -> list[tuple[str, Callable[[], UrlFilter]]]:
        """The body of each story of ``sids`` with a maker of its link filter, for the renderer's ``prerender``."""
        return [(story.body, lambda story=story: self.link_rewriter(story, settings))
                for story in map(self.raw.stories.__getitem__, sids)]

    def kept_stories(self, posts: dict[str, Post], members: dict[str, Member],
                     photos_same: bool = False) -> dict[str, tuple]:
        """The stories of the model before (:meth:`kept`) that this build would make the same, by id, each with its
        photos, its links out of the site and into it: a story whose file is the same, that names the same
        objects, among the same content files (its links ask which exist) and whose photos are the same (known to
        be, ``photos_same``: no photo changed since, :meth:`changed_since`; else looked at). Its HTML, the
        Markdown's and its photos' sizes, is then not made again; only the photos and links are registered."""
        previous = self.previous
        if previous is None or self.raw.broken or previous.sources.keys() != self.raw.digests.keys():
            return {}
        kept = self._kept
        found: dict[str, tuple] = {}
        out: dict[str, list] = {}
        into: dict[str, list] = {}
        for link in previous.external_links:
            out.setdefault(link[0], []).append(link)
        for link in previous.internal_links:
            into.setdefault(link[0], []).append(link)
        for sid, story in self.raw.stories.items():
            same = kept(f"story:{sid}", story)
            if same is None or not _names_same(same.posts, story.meta["posts"], posts) or \
                    not _names_same(same.members, story.meta["members"], members):
                continue
            photos = previous.story_photos.get(sid, ())
            if photos_same or all(self.same_photo(src, ref) for src, ref in photos):
                found[sid] = (same, photos, out.get(story.path, ()), into.get(story.path, ()))
        return found

    def stories(self, settings: Settings, posts: dict[str, Post], members: dict[str, Member],
                ready: dict, same_stories: dict[str, tuple] | None = None) -> list[Story]:
        out = []
        for sid, story in sorted(self.raw.stories.items()):
            same = same_stories.get(sid) if same_stories else None
            if same is not None:  # (in its turn: its photos and links in the order a story made again has them)
                made, photos, links_out, links_in = same
                for src, ref in photos:
                    if self._good_photos.get(src) is not ref:
                        self.publish(src, posixpath.normpath(src), ref)
                self.story_photos[sid] = photos
                self.external += links_out
                self.internal += links_in
                out.append(made)
                continue
            made = self.story_with_photos(sid, settings, posts, members, ready)
            if made is not None:
                out.append(made)
        out.sort(key=_newest_first, reverse=True)
        return out

    def story_with_photos(self, sid: str, settings: Settings, posts: Mapping[str, Post], members: Mapping[str, Member],
                          ready: dict) -> "Story | None":
        """:meth:`story`, with the photos it asked for kept in :attr:`story_photos`."""
        self._making = []
        try:
            made = self.story(sid, self.raw.stories[sid], settings, posts, members, ready)
        finally:
            photos, self._making = tuple(self._making), None
        if made is not None:
            self.story_photos[sid] = photos
        return made

    def story(self, sid: str, story, settings: Settings, posts: dict[str, Post], members: dict[str, Member],
              ready: dict) -> "Story | None":
        """The story ``sid`` made from its file (None: a problem with its Markdown, reported)."""
        meta = story.meta
        named_posts = []
        for pid in meta["posts"]:
            post = posts.get(pid)
            if post is None and (pid in self.raw.posts or f"posts/{pid}" in self.raw.broken):
                continue  # the post's own file has a problem, reported there
            if post is None or not post.public:
                why = "尚未批复，不能公开" if post is not None else f"不存在{suggest(pid, posts)}"
                self.error(meta, "posts", f"文中写到的示范岗 `{pid}` {why}：请改正或删除。")
            else:
                named_posts.append(post)
        named_members = []
        for mid in meta["members"]:
            member = members.get(mid)
            if member is None and (mid in self.raw.members or f"members/{mid}" in self.raw.broken):
                continue
            if member is None or not member.public:
                why = "本人未同意公开（或所在岗位未批复），不能写进文章" if member is not None else \
                    f"不存在{suggest(mid, members)}"
                self.error(meta, "members", f"文中写到的党员 `{mid}` {why}：请改正或删除。")
            else:
                named_members.append(member)
        cover = None
        if meta["cover"]:
            cover = self.image(meta["cover"], "file", meta["cover"]["file"])
        url_filter = self.link_rewriter(story, settings)
        try:
            html = self.markdown(story.body, url_filter, ready)
        except MarkupError as exc:
            line = story.body_line + exc.line - 1 if exc.line else story.body_line  # else: the body's first line
            # markup counts lines from the body's first line; messages name the file's lines
            message = re.sub(r"第 (\d+)(?=(?:–\d+)? 行)", lambda m: f"第 {story.body_line + int(m.group(1)) - 1}", exc.message)
            message = re.sub(r"(?<=–)(\d+)(?= 行)", lambda m: str(story.body_line + int(m.group(1)) - 1), message)
            self.problems.add(story.path, line, (exc.column or 0) if exc.line else 0, message)
            return None
        html = self.sized_images(html, settings)
        summary = meta["summary"] or story_summary(html)
        made = Story(sid, meta["title"], meta["date"], meta["author"], meta["kind"], tuple(named_posts),
                     tuple(named_members), tuple(meta["tags"]), cover,
                     meta["cover"]["alt"] if meta["cover"] else None,
                     meta["cover"]["caption"] if meta["cover"] else None, summary, html, story.path)
        # (its HTML is made again, and compared: its links and photos depend on other files than its own)
        same = self._kept(f"story:{sid}", story)
        return same if same is not None and _same_fields(same, made) else made

    def sized_images(self, html: str, settings: Settings) -> str:
        """Give a story's photos their size and smaller variants, as the cover and member photos have
        (width and height keep the page from jumping while they load; srcset lets a phone take 480 px)."""
        if "<img" not in html:
            return html
        base = settings.base_path

        def sized(match: re.Match) -> str:
            attrs = dict(_ATTR.findall(match.group(1)))
            src = str(Markup(attrs.get("src", "")).unescape())
            ref = self.published_size(src[len(base):]) if src.startswith(base) else None
            if ref is None:
                return match.group(0)
            variants = ref.variants()
            width = int(attrs["width"]) if attrs.get("width", "").isdigit() and int(attrs["width"]) > 0 \
                else variants[-1][0]
            attrs.update(width=str(width), height=str(ref.height_for(width)), loading="lazy", decoding="async",
                         srcset=", ".join(f"{escape(settings.base_path + p)} {w}w" for w, p in variants),
                         sizes=STORY_IMAGE_SIZES)
            return "<img " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">"

        return _IMG.sub(sized, html)

    def markdown(self, body: str, url_filter, ready: dict) -> str:
        """render_markdown, or the cached or pre-rendered HTML when the filter answers as before."""
        marks = len(self.problems.items), len(self.external), len(self.internal)

        def undo() -> None:
            del self.problems.items[marks[0]:], self.external[marks[1]:], self.internal[marks[2]:]

        return self.renderer.render(body, url_filter, undo, ready)

    def link_rewriter(self, story, settings: Settings):
        """Links and images in a story: relative paths name content files and become site URLs."""
        base = settings.base_path
        folder = posixpath.dirname(story.path.split("content/", 1)[-1])  # "stories"
        pages = {"posts": self.raw.posts, "members": self.raw.members, "units": self.raw.units,
                 "stories": self.raw.stories}

        def where(url: str) -> tuple[int, int]:
            # the URL where it stands as a link target or attribute value ("](x)", 'src="x"', "]: x"),
            # else anywhere (a short URL like "x" is also a letter of other words); searched in the whole body
            # at once: a line's ends are white space to _bounded_find, so the first match is the first line's
            body = story.body
            if "\n" not in url:
                for at in (_bounded_find(body, url), body.find(url)):
                    if at >= 0:
                        return story.body_line + body.count("\n", 0, at), at - body.rfind("\n", 0, at)
            return story.body_line, 0

        def rewrite(tag: str, attr: str, value: str) -> str | None:
            if re.match(r"^(https?:|mailto:|tel:)", value, re.I):
                if tag == "a":
                    self.external.append((story.path, value))
                return value
            if value.startswith("#"):
                return value
            if value.startswith("/"):  # a path inside the site, written from the site's root
                self.internal.append((story.path, *where(value), value, base + value.lstrip("/")))
                return base + value.lstrip("/")
            target = posixpath.normpath(posixpath.join(folder, value.split("#")[0]))
            line, col = where(value)
            if tag == "img":
                ref = self.image(_AT, None, target, line, col) if not target.startswith("..") else None
                if target.startswith(".."):
                    self.problems.add(story.path, line, col, f"图片路径 `{value}` 指向 content/ 以外。")
                if ref is None:
                    return None
                width, path = ref.variants()[-1]
                return base + path
            kind, _, name = target.partition("/")
            stem, ext = posixpath.splitext(name)
            expected = ".md" if kind == "stories" else ".yaml"
            if kind in pages and ext == expected and (stem in pages[kind] or f"{kind}/{stem}" in self.raw.broken):
                anchor = "#" + value.split("#", 1)[1] if "#" in value else ""
                if f"{kind}/{stem}" not in self.raw.broken:  # a file with problems: those are reported, not the link
                    self.internal.append((story.path, line, col, value, f"{base}{kind}/{stem}/"))
                return f"{base}{kind}/{stem}/{anchor}"
            self.problems.add(story.path, line, col,
                              f"链接 `{value}` 找不到对应的内容：站内链接请写成相对本文件的路径，"
                              "如 `../posts/编号.yaml`、`其他文章编号.md`，或写完整的 https:// 网址。")
            return None

        _AT = _Where(story.path)
        return rewrite


def revocation_why(change: stars.Change, rules: stars.Rules, post_file: str) -> tuple[str, str]:
    """Why a post was revoked (the month, the score, the rule of site.yaml) and what to do about an
    evaluation written after it: a revocation caused by a wrong or missing score goes away when the
    score is put right, and then the later evaluations count."""
    month, total = change.month, f"{change.total:g}" if change.total is not None else None
    later = "确实应当摘牌的，再删除这一项（摘牌后的考评不计入星级）。"
    if change.reason == "revoked_decision":
        return (f"市先教办决定摘牌（{post_file} 的 revoked：{change.detail}）",
                f"如果摘牌日期写错了，请改正 {post_file} 的 revoked.date；" + later)
    if change.reason.startswith("missing_"):
        failed = f"{month} 没有这个岗位的考评分数，按不合格处理（site.yaml 的 evaluation.missing_month: fail）"
        todo = (f"如果 {month} 考评过这个岗位，请把分数补进 content/evaluations/{month}.yaml，"
                "就不会摘牌，这一项也就有效；")
    else:
        failed = f"{month} 考评总分 {total} 分" + (
            "" if change.reason == "fail_below" else f"，不合格（合格线 {rules.pass_mark:g} 分）")
        source = change.evaluation.path if change.evaluation else f"content/evaluations/{month}.yaml"
        todo = f"如果 {month} 的分数录错了，请在 {source} 里改正，就不会摘牌，这一项也就有效；"
    if change.reason == "fail_below":
        rule = f"低于摘牌分数线 {rules.revoke_below:g} 分（evaluation.revoke.below）"
    elif change.reason.endswith("_consecutive"):
        rule = (f"已连续 {rules.consecutive_failures} 个月不合格"
                f"（evaluation.revoke.consecutive_failures: {rules.consecutive_failures}）")
    else:  # fail_at_zero, missing_at_zero
        rule = "当时是零星、没有星可减，零星时不合格即摘牌（evaluation.revoke.fail_at_zero_stars: true）"
    return f"{failed}，{rule}", todo + later


class _Where(Rec):
    """A stand-in record for positions inside a Markdown body (the line is passed explicitly)."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.line, self.col, self.offset, self.pos = path, 0, 0, 0, {}


_BEFORE_URL = frozenset("(\"'=<")  # or whitespace, or the start of the line
_AFTER_URL = frozenset(")\"'>#")  # or whitespace, or the end of the line


def _bounded_find(text: str, url: str) -> int:
    """Where ``url`` first stands in ``text`` as a whole link target or attribute value, else -1: the
    regular expression ``(?:(?<=[("'=<\\s])|^)URL(?=[)"'>\\s#]|$)`` without compiling one for each URL (a
    story's links are looked up again at every build)."""
    start = text.find(url)
    end_of_text = len(text)
    while start >= 0:
        end = start + len(url)
        if (start == 0 or text[start - 1] in _BEFORE_URL or text[start - 1].isspace()) and (
                end == end_of_text or text[end] in _AFTER_URL or text[end].isspace()):
            return start
        start = text.find(url, start + 1)
    return -1


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


_IMG = re.compile(r"<img ([^>]*)>")  # in HTML that nh3 wrote: double-quoted, escaped attribute values
_ATTR = re.compile(r'([a-z]+)="([^"]*)"')
_HEADING = re.compile(r"<h([1-6])\b[^>]*>.*?</h\1>", re.S)
_EA_GAP = re.compile(f"(?<=[{EAST_ASIAN}]) (?=[{EAST_ASIAN}])")
STORY_IMAGE_SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"  # .prose in templates/static/site.css


# HTMLParser takes ~0.4 ms a story: done once, not at every build. Keyed by the HTML's bytes: pickling a str (how a
# key is named) keeps its UTF-8 inside the str for good, 14 MB of the stories' HTML at 10,000 posts
@memoized("build.story_summary", key=lambda html, *rest: (html.encode(), rest))
def story_summary(html: str, n: int = 90) -> str:
    """A story's default summary: the text of its paragraphs, without its headings, and no space where one
    block of Chinese text follows another ("…62 分钟。急诊…", never "…62 分钟。 先救治，后付费 急诊…")."""
    return _clip(_EA_GAP.sub("", plain_text(_HEADING.sub(" ", html))), n)


class MarkdownRenderer(Protocol):
    """How story bodies become HTML: :class:`PlainMarkdown`, or the incremental core's cached renderer."""

    def prerender(self, bodies: list[tuple[str, Callable[[], UrlFilter]]],
                  alongside: Callable[[], Any] | None = None) -> tuple[dict, Any]:
        """(what :meth:`render` may take the bodies' HTML from, ``alongside()``): the renderer may run
        ``alongside`` (a pure function of the model being built: its result is what counts) in another
        process while it renders the bodies."""

    def render(self, body: str, url_filter: UrlFilter, undo: Callable[[], None], ready: dict) -> str: ...


class PlainMarkdown:
    """Each body rendered when it is needed; nothing kept."""

    def prerender(self, bodies: list[tuple[str, Callable[[], UrlFilter]]],
                  alongside: Callable[[], Any] | None = None) -> tuple[dict, Any]:
        return {}, alongside() if alongside is not None else None

    def render(self, body: str, url_filter: UrlFilter, undo: Callable[[], None], ready: dict) -> str:
        return render_markdown(body, url_filter=url_filter)


def build(raw: Raw, problems: Problems, markdown: MarkdownRenderer | None = None,
          base_url: str | None = None, jobs: int = 1, previous: Model | None = None,
          previous_objects: dict[str, Any] | None = None, only_records: bool = False) -> Model | None:
    """The model of ``raw``; ``base_url`` (build --base-url, the preview server's address) replaces site.yaml's;
    ``jobs``: processes that may check the photos; ``previous``: a model built before from the same site without
    a problem, whose objects are reused where their files did not change (:meth:`Builder.kept`);
    ``previous_objects``: its objects by key, if known (every unit, post, member and story at least);
    ``only_records``: no file but the records' changed since ``previous`` was built (no photo, no folder's
    entries), so that only the objects of the records that changed are made again (:meth:`Builder.changed_since`)."""
    return Builder(raw, problems, markdown, base_url, jobs, previous, previous_objects, only_records).build()


def _record_id(path: str, cls: type, records: dict[str, Rec]) -> str | None:
    """The id of the record of ``cls``'s kind (a member, a post) read from the content file ``path``, if it is one."""
    folder = cls.FROM_FILE[0].partition("{}")[0]
    oid = path[len(folder):-len(".yaml")] if path.startswith(folder) and path.endswith(".yaml") else None
    rec = records.get(oid) if oid is not None else None
    return oid if rec is not None and rec.path == path else None


def _bad_photo_path(src: str, norm: str) -> bool:
    """Whether a photo path as written is not a plain path inside content/."""
    return src.startswith("/") or "\\" in src or norm.startswith("..") or bool(re.search(r"%2e|%2f|%5c", src, re.I))
