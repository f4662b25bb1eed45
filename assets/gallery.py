"""Page-numbered gallery lists that stay fast at any depth: keyset seeking behind page numbers.

`OFFSET n` makes PostgreSQL walk and discard n rows, and `COUNT(*)` walks them all, so
page numbers over a million rows cost tens of milliseconds. Here:

- **Counts** are exact, computed once per (filter, data version) and cached in Redis.
- **Boundaries**: for every list (filter + sort) whose page is deeper than
  `FORGE_GALLERY_BOUNDARY_EVERY` rows (K), one pass over the list's index stores the sort key
  of every K-th row. Page p then seeks straight to the nearest boundary before its first row
  with a row-value comparison on the sort index (`(created_at, id) < (%s, %s)`), and skips
  at most K - 1 rows from there. Pages before the first boundary use a plain short OFFSET.
- **Exactness**: every write that changes what a list shows (create, update, delete, through
  the services) replaces the *data version* after commit; cache keys include it, so counts and
  boundaries computed before a change are never used after it. A page always shows exactly
  the rows `ORDER BY ... OFFSET ... LIMIT` would. The cost: the first deep request per list
  after a write pays one index pass (about 0.1–0.3 s at a million rows).

Writes that bypass the services (raw SQL, bulk loads) must call `gallery_version_bump()`.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Func, Lookup, OrderBy, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThan, LessThan

from assets.models import Asset, AssetStatus, AssetVisibility
from forge.exceptions import NotFoundError

VERSION_KEY = "assets:gallery:version"

SORTS = ("newest", "oldest", "name", "triangles", "-triangles")
DEFAULT_SORT = "newest"

# sort name -> (name, key expression, descending?); `id` breaks ties in the same direction.
_SORT_KEYS: dict[str, tuple[str, Any, bool]] = {
    "newest": ("created_at", F("created_at"), True),
    "oldest": ("created_at", F("created_at"), False),
    "name": ("name", Lower("name"), False),
    "triangles": ("triangle_count", F("triangle_count"), False),
    "-triangles": ("triangle_count", F("triangle_count"), True),
}

LIST_FIELDS = (
    "id",
    "name",
    "owner_id",
    "owner__username",
    "kind",
    "art_style",
    "tags",
    "visibility",
    "status",
    "source",
    "model_file",
    "thumbnail",
    "file_size",
    "vertex_count",
    "triangle_count",
    "created_at",
    "updated_at",
    "variant_statistics__total",
    "variant_statistics__ready",
)


@dataclass(frozen=True)
class GalleryFilters:
    """What a gallery list shows: a scope (public, or one owner's assets) and filters."""

    owner_id: int | None = None
    kind: str = ""
    art_style: str = ""
    tag: str = ""
    status: str = ""
    visibility: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    def cache_key(self) -> str:
        raw = "|".join(
            str(part)
            for part in (
                self.owner_id,
                self.kind,
                self.art_style,
                self.tag,
                self.status,
                self.visibility,
                self.q,
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class GalleryPage:
    """One page of a gallery list and where it sits."""

    results: list[dict]
    page: int
    page_size: int
    total: int
    total_pages: int
    sort: str
    filters: GalleryFilters = field(repr=False, default_factory=GalleryFilters)

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.has_previous else None

    def page_range(self, *, around: int = 2) -> list[int | None]:
        """Return page numbers to show: first, last and `around` either side (None = gap)."""
        if self.total_pages <= 1:
            return [1]
        wanted = {1, self.total_pages} | {
            p
            for p in range(self.page - around, self.page + around + 1)
            if 1 <= p <= self.total_pages
        }
        result: list[int | None] = []
        previous = 0
        for number in sorted(wanted):
            if number - previous > 1:
                result.append(None)
            result.append(number)
            previous = number
        return result


def gallery_version() -> str:
    """Return the current data version of the gallery, creating one if none is stored."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def gallery_version_bump() -> None:
    """Mark every cached count and page boundary as stale."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def gallery_version_bump_on_commit() -> None:
    """Mark cached counts and boundaries stale once the current transaction commits."""
    transaction.on_commit(gallery_version_bump)


def gallery_queryset(filters: GalleryFilters) -> QuerySet:
    """Return the unordered queryset of the assets `filters` selects."""
    qs = Asset.objects.all()
    if filters.owner_id is None:
        qs = qs.filter(visibility=AssetVisibility.PUBLIC, status=AssetStatus.READY)
    else:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.art_style:
        qs = qs.filter(art_style=filters.art_style)
    if filters.tag:
        qs = qs.filter(tags__contains=[filters.tag])
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    if filters.q:
        qs = qs.filter(
            search_vector=SearchQuery(filters.q, search_type="websearch", config="english")
        )
    return qs


def _ordered(qs: QuerySet, sort: str) -> QuerySet:
    _, key, descending = _SORT_KEYS[sort]
    return qs.order_by(OrderBy(key, descending=descending), OrderBy(F("id"), descending=descending))


def _row(*expressions) -> Func:
    """Return a SQL row value `(a, b)` built from ORM expressions (aliases stay correct)."""
    return Func(*expressions, function="", output_field=TextField())


def _after(sort: str, boundary: tuple) -> Lookup:
    """Return the condition "sorts after `boundary`": a row comparison the sort index seeks to."""
    _, key, descending = _SORT_KEYS[sort]
    lookup = LessThan if descending else GreaterThan
    return lookup(_row(key, F("id")), _row(Value(boundary[0]), Value(boundary[1])))


def _boundaries_compute(filters: GalleryFilters, every: int) -> list[tuple]:
    """Return the sort key of every `every`-th row of the list, in one pass over its index."""
    sort = filters.sort
    _, key, descending = _SORT_KEYS[sort]
    inner = _ordered(gallery_queryset(filters), sort).values(k0=key, k1=F("id"))
    sql, params = inner.query.sql_with_params()
    direction = "DESC" if descending else "ASC"
    query = (
        "SELECT k0, k1 FROM ("  # noqa: S608 - composed from the ORM's own SQL
        f"SELECT k0, k1, row_number() OVER (ORDER BY k0 {direction}, k1 {direction}) AS rn "
        f"FROM ({sql}) AS list) AS numbered WHERE rn %% %s = 0 ORDER BY rn"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, every])
        return [tuple(row) for row in cursor.fetchall()]


def gallery_page(*, filters: GalleryFilters, page: int, page_size: int) -> GalleryPage:
    """Return page `page` of the list `filters` selects, exactly as OFFSET would, fast.

    Raises `NotFoundError` for a page past the end (page 1 always exists, maybe empty).
    Issues one SQL query when the count and boundary are cached, at most three otherwise.
    """
    every = settings.FORGE_GALLERY_BOUNDARY_EVERY
    ttl = settings.FORGE_GALLERY_CACHE_TTL
    offset = (page - 1) * page_size
    # Entries are stored as (data version, value) under version-free keys, so the version,
    # the count and the boundary come back in one Redis round trip.
    base = f"assets:gallery:{filters.cache_key()}"
    count_key = f"{base}:count"
    index = offset // every
    boundary_key = f"{base}:{filters.sort}:b{index}"
    cached = cache.get_many(
        [VERSION_KEY, count_key, boundary_key] if index else [VERSION_KEY, count_key]
    )
    version = cached.get(VERSION_KEY) or gallery_version()

    def current(key):
        entry = cached.get(key)
        return entry[1] if entry is not None and entry[0] == version else None

    qs = gallery_queryset(filters)
    total = current(count_key)
    if total is None:
        total = qs.count()
        cache.set(count_key, (version, total), ttl)
    total_pages = max(1, -(-total // page_size))
    if page > total_pages:
        raise NotFoundError(
            f"Page {page} does not exist; the last page is {total_pages}.",
            details={"page": [f"The last page is {total_pages}."]},
        )
    rows = _ordered(qs, filters.sort)
    if index:
        boundary = current(boundary_key)
        if boundary is None:
            boundaries = _boundaries_compute(filters, every)
            cache.set_many(
                {f"{base}:{filters.sort}:b{i + 1}": (version, b) for i, b in enumerate(boundaries)},
                ttl,
            )
            if len(boundaries) < index:  # rows vanished between the count and this pass
                raise NotFoundError(f"Page {page} does not exist.")
            boundary = boundaries[index - 1]
        rows = rows.filter(_after(filters.sort, boundary))
        offset -= index * every
    # Deferred join: pick the page's ids from the sort index alone (the skipped rows are never
    # joined), then fetch and join just those rows.
    ids = rows.values("id")[offset : offset + page_size]
    page_rows = _ordered(Asset.objects.filter(pk__in=Subquery(ids)), filters.sort)
    results = list(page_rows.values(*LIST_FIELDS))
    return GalleryPage(
        results=results,
        page=page,
        page_size=page_size,
        total=total,
        total_pages=total_pages,
        sort=filters.sort,
        filters=filters,
    )


def gallery_page_offset(*, filters: GalleryFilters, page: int, page_size: int) -> list[dict]:
    """Return the same rows as `gallery_page` with a plain OFFSET (for tests and benchmarks)."""
    qs = _ordered(gallery_queryset(filters), filters.sort)
    offset = (page - 1) * page_size
    return list(qs.values(*LIST_FIELDS)[offset : offset + page_size])
