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

- **Signed-in viewers** see the public list plus their own assets it leaves out (private,
  unlisted, not ready). Those *extras* are counted on the owner index (cached per viewer);
  a viewer with none gets the public list itself, its queries and its shared cache entries.
  Otherwise the page is a `UNION ALL` of the two branches, each seeking on its own index,
  and counts and boundaries of that union are cached under the viewer's own keys, so one
  user's counts or boundaries never reach another.

Writes that bypass the services (raw SQL, bulk loads) must call `gallery_version_bump()`.
"""

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    F,
    Func,
    Lookup,
    OrderBy,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThan, LessThan

from assets.models import Asset, AssetStatus, AssetVisibility
from forge.exceptions import NotFoundError
from forge.prepared import PreparedQuery

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
    """What a gallery list shows: a scope and filters.

    Scopes: public ready assets (the default); with `viewer_id`, those plus the viewer's own
    assets they leave out; with `owner_id`, every asset of that owner.
    """

    owner_id: int | None = None
    viewer_id: int | None = None
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
                self.viewer_id,
                self.kind,
                self.art_style,
                self.tag,
                self.status,
                self.visibility,
                self.q,
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    @property
    def is_union(self) -> bool:
        """Say whether the list joins the viewer's own assets to the public ones."""
        return self.viewer_id is not None and self.owner_id is None

    def public(self) -> "GalleryFilters":
        """Return the same filters over the public scope alone."""
        return replace(self, viewer_id=None)


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


PUBLIC_SCOPE = Q(visibility=AssetVisibility.PUBLIC, status=AssetStatus.READY)


def _filtered(qs: QuerySet, filters: GalleryFilters) -> QuerySet:
    """Apply the kind, style, tag, status, visibility and search filters to `qs`."""
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


def gallery_queryset(filters: GalleryFilters) -> QuerySet:
    """Return the unordered queryset of the assets `filters` selects."""
    qs = Asset.objects.all()
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    elif filters.viewer_id is not None:
        qs = qs.filter(PUBLIC_SCOPE | Q(owner_id=filters.viewer_id))
    else:
        qs = qs.filter(PUBLIC_SCOPE)
    return _filtered(qs, filters)


def _extras_queryset(filters: GalleryFilters) -> QuerySet:
    """Return the viewer's own assets that the public list leaves out (owner index)."""
    qs = Asset.objects.filter(owner_id=filters.viewer_id).exclude(PUBLIC_SCOPE)
    return _filtered(qs, filters)


def _public_branch_empty(filters: GalleryFilters) -> bool:
    """Say whether the filters exclude every public ready asset (e.g. `visibility=private`)."""
    return filters.visibility not in ("", AssetVisibility.PUBLIC) or filters.status not in (
        "",
        AssetStatus.READY,
    )


def _branches(filters: GalleryFilters, *, public_branch: bool | None = None) -> list[QuerySet]:
    """Return the unordered querysets whose rows, together, make the list.

    `public_branch` says whether a union has its public branch; by default it is read from
    the filters' values (a prepared query's builder, given placeholders, passes it in).
    """
    if not filters.is_union:
        return [gallery_queryset(filters)]
    branches = [_extras_queryset(filters)]
    if public_branch is None:
        public_branch = not _public_branch_empty(filters)
    if public_branch:
        branches.insert(0, gallery_queryset(filters.public()))
    return branches


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


def _keys(qs: QuerySet, sort: str) -> QuerySet:
    """Return `qs` in list order as rows `(k0, k1)`: the sort key and the id."""
    _, key, _ = _SORT_KEYS[sort]
    return _ordered(qs, sort).values(k0=key, k1=F("id"))


def _union_sql(parts: list[QuerySet]) -> tuple[str, list]:
    """Return `(sql, params)` of the `UNION ALL` of querysets of `(k0, k1)` rows."""
    sqls, params = [], []
    for part in parts:
        sql, part_params = part.query.sql_with_params()
        sqls.append(f"({sql})")
        params += part_params
    return " UNION ALL ".join(sqls), params


def _boundaries_compute(filters: GalleryFilters, every: int) -> list[tuple]:
    """Return the sort key of every `every`-th row of the list, in one pass over its index."""
    sort = filters.sort
    _, _, descending = _SORT_KEYS[sort]
    sql, params = _union_sql([_keys(branch, sort) for branch in _branches(filters)])
    direction = "DESC" if descending else "ASC"
    query = (
        "SELECT k0, k1 FROM ("  # noqa: S608 - composed from the ORM's own SQL
        f"SELECT k0, k1, row_number() OVER (ORDER BY k0 {direction}, k1 {direction}) AS rn "
        f"FROM ({sql}) AS list) AS numbered WHERE rn %% %s = 0 ORDER BY rn"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, every])
        return [tuple(row) for row in cursor.fetchall()]


def _union_page_ids(branches: list[QuerySet], sort: str, offset: int, limit: int) -> RawSQL:
    """Return SQL choosing the ids of rows `offset`..`offset+limit` of the merged branches.

    Each branch reads at most `offset + limit` rows from its own index; the merge sorts
    only those.
    """
    _, _, descending = _SORT_KEYS[sort]
    direction = "DESC" if descending else "ASC"
    sql, params = _union_sql([_keys(b, sort)[: offset + limit] for b in branches])
    query = (
        f"SELECT k1 FROM ({sql}) AS list "  # noqa: S608 - composed from the ORM's own SQL
        f"ORDER BY k0 {direction}, k1 {direction} OFFSET %s LIMIT %s"
    )
    return RawSQL(query, [*params, offset, limit])  # noqa: S611 - the ORM's own SQL and params


def gallery_page(*, filters: GalleryFilters, page: int, page_size: int) -> GalleryPage:
    """Return page `page` of the list `filters` selects, exactly as OFFSET would, fast.

    Raises `NotFoundError` for a page past the end (page 1 always exists, maybe empty).
    Issues one SQL query when the counts and boundary are cached; cold, it adds a count per
    branch and, for a deep page, one boundary pass.
    """
    every = settings.FORGE_GALLERY_BOUNDARY_EVERY
    ttl = settings.FORGE_GALLERY_CACHE_TTL
    sort = filters.sort
    requested = filters
    offset = (page - 1) * page_size
    index = offset // every
    # Entries are stored as (data version, value) under version-free keys, so the version,
    # the counts and the boundary come back in one Redis round trip. The public list's
    # entries are shared by everyone; a viewer's union has keys of its own.
    public_base = f"assets:gallery:{filters.public().cache_key()}"
    union_base = f"assets:gallery:{filters.cache_key()}"
    wanted = [VERSION_KEY, f"{public_base}:count"]
    if filters.is_union:
        wanted.append(f"{union_base}:extras")
    if index:
        wanted += list({f"{public_base}:{sort}:b{index}", f"{union_base}:{sort}:b{index}"})
    cached = cache.get_many(wanted)
    version = cached.get(VERSION_KEY) or gallery_version()

    def remember(key, compute):
        entry = cached.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        value = compute()
        cache.set(key, (version, value), ttl)
        return value

    if filters.is_union:
        extras = remember(f"{union_base}:extras", lambda: _extras_queryset(filters).count())
        if not extras:  # nothing of the viewer's own to add: serve the public list itself
            filters = filters.public()
    base = union_base if filters.is_union else public_base
    if filters.is_union:
        total = extras
        if not _public_branch_empty(filters):
            public = filters.public()
            total += remember(f"{public_base}:count", lambda: gallery_queryset(public).count())
    else:
        total = remember(f"{base}:count", lambda: gallery_queryset(filters).count())
    total_pages = max(1, -(-total // page_size))
    if page > total_pages:
        raise NotFoundError(
            f"Page {page} does not exist; the last page is {total_pages}.",
            details={"page": [f"The last page is {total_pages}."]},
        )
    boundary = None
    if index:
        boundary_key = f"{base}:{sort}:b{index}"
        entry = cached.get(boundary_key)
        boundary = entry[1] if entry is not None and entry[0] == version else None
        if boundary is None:
            boundaries = _boundaries_compute(filters, every)
            cache.set_many(
                {f"{base}:{sort}:b{i + 1}": (version, b) for i, b in enumerate(boundaries)},
                ttl,
            )
            if len(boundaries) < index:  # rows vanished between the count and this pass
                raise NotFoundError(f"Page {page} does not exist.")
            boundary = boundaries[index - 1]
        offset -= index * every
    results = _page_rows(filters, offset=offset, limit=page_size, boundary=boundary)
    return GalleryPage(
        results=results,
        page=page,
        page_size=page_size,
        total=total,
        total_pages=total_pages,
        sort=sort,
        filters=requested,
    )


def _page_rows_queryset(
    filters: GalleryFilters,
    *,
    offset: int,
    limit: int,
    boundary: tuple | None,
    public_branch: bool | None = None,
) -> QuerySet:
    """Return the query of the list's rows `offset`..`offset + limit` (after `boundary`)."""
    sort = filters.sort
    branches = _branches(filters, public_branch=public_branch)
    if boundary is not None:
        branches = [branch.filter(_after(sort, boundary)) for branch in branches]
    # Deferred join: pick the page's ids from the sort index alone (the skipped rows are never
    # joined), then fetch and join just those rows.
    if len(branches) == 1:
        ids = Subquery(_ordered(branches[0], sort).values("id")[offset : offset + limit])
    else:
        ids = _union_page_ids(branches, sort, offset, limit)
    return _ordered(Asset.objects.filter(pk__in=ids), sort).values(*LIST_FIELDS)


# What each sort's boundary key is, for a prepared query's placeholder.
_BOUNDARY_TYPES = {"created_at": datetime, "name": str, "triangle_count": int}
_FILTER_VALUES = ("kind", "art_style", "tag", "status", "visibility", "q")


@lru_cache(maxsize=64)
def _page_query(shape: tuple) -> PreparedQuery:
    """Return the prepared page query of one shape (see `_page_rows`).

    At most 64 shapes are kept (least recently used dropped); a shape past them is compiled
    again when it comes back, as an unprepared query would be every time.
    """
    scope, present, sort, offset, limit, with_boundary, public_branch = shape
    params: dict[str, type] = {name: str for name in present}
    if scope != "public":
        params[scope] = int
    if with_boundary:
        params["k0"] = _BOUNDARY_TYPES[_SORT_KEYS[sort][0]]
        params["k1"] = uuid.UUID

    def build(k0=None, k1=None, **values):
        filters = GalleryFilters(sort=sort, **values)
        boundary = (k0, k1) if with_boundary else None
        return _page_rows_queryset(
            filters, offset=offset, limit=limit, boundary=boundary, public_branch=public_branch
        )

    return PreparedQuery(build, **params)


def _page_rows(
    filters: GalleryFilters, *, offset: int, limit: int, boundary: tuple | None
) -> list[dict]:
    """Return the page's rows, the query prepared once per shape (forge/prepared.py).

    The shape is everything that changes the SQL's text: the scope, which filters are set,
    the sort, offset and limit, whether the page seeks past a boundary, and whether a
    viewer's union has its public branch. Values (ids, filter values, the boundary) are bound.
    """
    scope = (
        "owner_id"
        if filters.owner_id is not None
        else ("viewer_id" if filters.viewer_id is not None else "public")
    )
    values = {name: getattr(filters, name) for name in _FILTER_VALUES if getattr(filters, name)}
    public_branch = filters.is_union and not _public_branch_empty(filters)
    shape = (scope, tuple(values), filters.sort, offset, limit, boundary is not None, public_branch)
    if scope != "public":
        values[scope] = getattr(filters, scope)
    if boundary is not None:
        key_type = _BOUNDARY_TYPES[_SORT_KEYS[filters.sort][0]]
        if not isinstance(boundary[0], key_type) or not isinstance(boundary[1], uuid.UUID):
            # Not a shape the prepared query takes (never seen: keys are not null).
            return list(_page_rows_queryset(filters, offset=offset, limit=limit, boundary=boundary))
        values["k0"], values["k1"] = boundary
    return _page_query(shape).all(**values)


def gallery_page_offset(*, filters: GalleryFilters, page: int, page_size: int) -> list[dict]:
    """Return the same rows as `gallery_page` with a plain OFFSET (for tests and benchmarks)."""
    qs = _ordered(gallery_queryset(filters), filters.sort)
    offset = (page - 1) * page_size
    return list(qs.values(*LIST_FIELDS)[offset : offset + page_size])
