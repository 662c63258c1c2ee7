"""Which pages read each model object and attribute: the reverse of the pages' entries (docs/architecture.md,
step 5), kept in memory by a process that builds again with the same cache (``serve``).

The plan of a rebuild then looks at the pages that read something whose digest changed, at the pages whose
context it must compare anyway and at pages it has no entry for; every other page is kept as its entry says,
without comparing what it read (a set lookup per object read, 178,000 pages at 10,000 posts).

The index describes the cache's page sections it was made or updated for (:meth:`Readers.describes`: the
very dictionaries, which are replaced, never changed, when a build saves its pages). It may name a page under
a key that the page no longer reads — a page rendered again is added under the keys it read this time and not
taken out from under the others — but never misses one: a page named for nothing is only compared for nothing.
"""

from __future__ import annotations

from typing import Iterable

from .rendering import Done


class Readers:
    def __init__(self, shards: tuple[dict, ...]):
        self.shards = shards  # the cache's page sections (output path → rendering.Done) described
        self.objects: dict[str, list[str]] = {}  # object key → the output paths of the pages that read it
        self.attributes: dict[tuple[str, str], list[str]] = {}  # (key, attribute) → likewise
        self.volatile: set[str] = set()  # pages whose context cannot be compared (always rendered)
        self.added = 0  # references added since made from scratch (names kept only when this is small)
        self.made = 0  # references when made
        self.add(entry for shard in shards for entry in shard.items())
        self.made, self.added = self.added, 0

    def describes(self, shards: tuple[dict, ...]) -> bool:
        return len(shards) == len(self.shards) and all(a is b for a, b in zip(shards, self.shards))

    def add(self, entries: Iterable[tuple[str, Done]]) -> None:
        objects, attributes = self.objects, self.attributes
        for path, entry in entries:
            if entry.fingerprint is None:
                self.volatile.add(path)
            for key in entry.objects:
                found = objects.get(key)
                if found is None:
                    objects[key] = [path]
                else:
                    found.append(path)
            for key, names in entry.attributes:
                for name in names:
                    attributes.setdefault((key, name), []).append(path)
            self.added += len(entry.objects) + len(entry.attributes)

    def look_at(self, unchanged) -> set[str]:
        """The pages that read an object or attribute that is not in ``unchanged`` (tracking.Unchanged), and
        those whose context cannot be compared."""
        found = set(self.volatile)
        objects, attributes = self.objects, self.attributes
        if unchanged.objects is None:  # (every object but those changed: serve's, see tracking.Fingerprints.unchanged)
            for key in unchanged.changed:
                found.update(objects.get(key, ()))
        else:
            for key in objects.keys() - unchanged.objects:
                found.update(objects[key])
        for key in attributes.keys() - unchanged.attributes:
            found.update(attributes[key])
        return found


def updated(readers: Readers | None, shards: tuple[dict, ...], before: tuple[dict, ...],
            changed: list[tuple[str, Done]]) -> Readers:
    """The index of ``shards``, the page sections a build saved: ``readers`` (the index of ``before``, the
    sections they replace) with the entries that build ``changed`` added; made from scratch when there is none,
    when many pages changed (a template's edit: every page rendered again) or when the names added since it
    was made outnumber those it was made with."""
    if readers is None or not readers.describes(before) or len(changed) * 4 > sum(map(len, shards)) \
            or readers.added > readers.made:
        return Readers(shards)
    readers.add(changed)
    readers.shards = shards
    return readers
