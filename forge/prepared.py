"""Hot queries compiled once: the ORM builds a query's SQL the first time, later calls bind values.

Building a QuerySet (`filter()` resolving lookups and joins) and compiling it (`as_sql()`:
the select list, joins, ordering, quoting) costs more Python time than PostgreSQL spends
answering a primary-key lookup: about 0.5 ms for the token lookup that authenticates every
API call, against 0.3 ms of SQL. For the few queries every request runs, `PreparedQuery`
does that work once per database connection and afterwards only substitutes the values:

    token_by_hash = PreparedQuery(
        lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash),
        key_hash=str,
    )
    token = token_by_hash.first(key_hash="...")

The builder is called once, with a placeholder of the declared type standing in for each
value (`str`, `int`, `uuid.UUID` or an aware `datetime`; an array lookup takes a list of
them, `tags__contains=[tag]`, each element being its own SQL parameter). Compiling it tells where each placeholder lands among
the query's parameters; a call copies that parameter list with the real values in those
places. Everything after the SQL is the ORM's own: the same compiler (its select list,
converters, `select_related` populators) turns rows into model instances or `values()`
dicts, and `prefetch_related` runs as usual. So a prepared query returns exactly what the
QuerySet would (tests compare the two).

A value must reach the SQL unchanged for its place to be found; a lookup that rewrites it
(`icontains` wraps it in `%`) is refused when the query is first compiled, with an error
naming the parameter (a value used in several places is bound in each). Nothing structural
may depend on a value: `LIMIT`/`OFFSET` are written into the SQL, so slice bounds are fixed
in the builder, and a list's length is part of the SQL (`IN (%s, %s)`).

Written here rather than taken from a library: Django has no compiled-query cache (its
`QuerySet` is rebuilt per use by design), and the packages that cache *results*
(cachalot, cacheops) answer a different question and would serve stale rows.
"""

import copy
import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

_SUPPORTED = (str, int, uuid.UUID, datetime)
_counter = itertools.count(1)
# Compiled queries kept per connection, least recently used dropped first: a bound on memory
# when callers make prepared queries per query shape (the gallery's filters and pages).
COMPILED_PER_CONNECTION = 128


def _placeholder(kind: type, name: str):
    n = next(_counter)
    if kind is str:
        return f"\x1eforge-prepared:{name}:{n}\x1e"
    if kind is int:
        return 2_000_000_000 - 7919 * n  # inside a 32-bit column's range, which lookups check
    if kind is uuid.UUID:
        return uuid.UUID(int=(0xF0F9E000 << 96) | n)
    if kind is datetime:  # aware, as USE_TZ has them
        return datetime(1901, 2, 3, tzinfo=UTC) + timedelta(microseconds=7919 * n)
    raise TypeError(f"PreparedQuery parameter {name!r}: type {kind!r} is not one of {_SUPPORTED}")


class _PreparedSQLQuery(Query):
    """A `Query` whose compiler is made and compiled once per connection, then reused."""

    prepared: "PreparedQuery"
    bound: list

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if connection is None:
            connection = connections[using]
        return self.prepared._compiler(self, connection, self.bound, elide_empty)


class PreparedQuery:
    """A query built and compiled once (per database connection), run with new values."""

    def __init__(self, build: Callable[..., QuerySet], **params: type) -> None:
        for name, kind in params.items():
            if kind not in _SUPPORTED:
                raise TypeError(
                    f"PreparedQuery parameter {name!r}: type {kind!r} is not one of {_SUPPORTED}"
                )
        self._build = build
        self._params = params
        self._template: QuerySet | None = None
        self._placeholders: dict[str, object] = {}
        self._lock = threading.Lock()
        self._key = next(_counter)  # never reused, unlike id()

    # -- running ----------------------------------------------------------------------------

    def all(self, **values) -> list:
        """Return every row (model instances, or dicts for a `values()` query)."""
        return list(self._queryset(values))

    def first(self, **values):
        """Return the first row, or None. The builder's own slice/ordering decide which."""
        rows = self._queryset(values)
        for row in rows:
            return row
        return None

    # -- machinery --------------------------------------------------------------------------

    def _template_get(self) -> QuerySet:
        if self._template is None:
            with self._lock:
                if self._template is None:
                    placeholders = {
                        name: _placeholder(kind, name) for name, kind in self._params.items()
                    }
                    template = self._build(**placeholders)
                    if type(template.query) is not Query:
                        raise TypeError("PreparedQuery needs a plain QuerySet from its builder.")
                    self._placeholders = placeholders
                    self._template = template
        return self._template

    def _queryset(self, values: dict) -> QuerySet:
        if values.keys() != self._params.keys():
            raise TypeError(f"PreparedQuery takes exactly {sorted(self._params)}.")
        for name, kind in self._params.items():
            if not isinstance(values[name], kind) or isinstance(values[name], bool):
                raise TypeError(f"PreparedQuery parameter {name!r} must be {kind.__name__}.")
        template = self._template_get()
        query = copy.copy(template.query)  # shallow: shares the compiled state, holds the values
        query.__class__ = _PreparedSQLQuery
        query.prepared = self
        query.bound = values
        queryset = type(template)(
            model=template.model, query=query, using=template._db, hints=template._hints
        )
        queryset._iterable_class = template._iterable_class
        queryset._fields = template._fields
        queryset._prefetch_related_lookups = template._prefetch_related_lookups
        queryset._known_related_objects = template._known_related_objects
        return queryset

    def _compiler(self, query: Query, connection, values: dict, elide_empty: bool):
        # One compiler per connection (a connection belongs to one thread): it keeps the
        # select list, `klass_info` and converters that the ORM's iterables read after running.
        store = connection.__dict__.setdefault("forge_prepared", OrderedDict())
        entry = store.get(self._key)
        if entry is None:
            compiler = Query.get_compiler(query, connection=connection, elide_empty=elide_empty)
            sql, params = compiler.as_sql()
            compiler.get_converters = _converters_kept(compiler.get_converters)
            entry = (compiler, sql, list(params), self._positions(params))
            store[self._key] = entry
            while len(store) > COMPILED_PER_CONNECTION:
                store.popitem(last=False)
        else:
            store.move_to_end(self._key)
        compiler, sql, params, positions = entry
        bound = list(params)
        for name, index, wrap in positions:
            bound[index] = values[name] if wrap is None else wrap(values[name])
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(bound))
        return compiler

    def _positions(self, params) -> list[tuple[str, int, type | None]]:
        positions = []
        for name, placeholder in self._placeholders.items():
            found = [
                i
                for i, param in enumerate(params)
                if isinstance(param, type(placeholder)) and param == placeholder
            ]
            if not found:
                raise ValueError(
                    f"PreparedQuery parameter {name!r} does not reach the SQL unchanged: a "
                    "lookup that rewrites its value (icontains, startswith) cannot be prepared."
                )
            # The backend may send a subtype (psycopg's Int4 for an integer column): bind the
            # value as the same type, as the ORM would.
            positions += [
                (name, i, None if type(params[i]) is type(placeholder) else type(params[i]))
                for i in found
            ]
        return positions


def _converters_kept(get_converters):
    """`get_converters`, worked out once for the compiler's own select list.

    The ORM asks for a query's converters on every run (each column's field asked for its
    database converters); a compiled query's select list never changes, so its answer does
    not either. Keyed by the expressions' identities, which the compiler keeps alive.
    """
    kept: dict[tuple[int, ...], dict] = {}

    def converters(expressions):
        key = tuple(map(id, expressions))
        found = kept.get(key)
        if found is None:
            found = kept[key] = get_converters(expressions)
        return found

    return converters


def prefetched(instance, name: str, rows: list) -> None:
    """Hold `rows` as `instance`'s prefetched reverse relation `name`, as `prefetch_related` does.

    For a relation read by a prepared query of its own: `instance.<name>.all()` then returns
    `rows` without a query, and each row's link back to `instance` is set.
    """
    relation = instance._meta.get_field(name)
    holder = QuerySet(model=relation.related_model)
    holder._result_cache = rows
    holder._prefetch_done = True
    for row in rows:
        relation.field.set_cached_value(row, instance)
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation.cache_name] = holder


# -- Lists paginated by cursor ------------------------------------------------------------


class PreparedList:
    """A cursor-paginated list whose page queries are prepared, one per shape.

    `build(**values)` (a module-level function) returns the list's QuerySet (filters,
    `select_related`, `prefetch_related`); `values` holds only the filters in use, so which of
    them are set is part of the shape, and nothing else may change the builder's SQL. DRF's
    `CursorPagination` (forge/pagination.py) then treats it as it treats a QuerySet: it orders
    it, filters it past the cursor's position on the ordering's first field, and slices one
    page; the page runs as the prepared query of that (shape, ordering, direction, offset,
    size). A position that is not a valid value of its field raises as the ORM would.
    """

    def __init__(self, build: Callable[..., QuerySet], *, model, values: dict) -> None:
        self.build = build
        self.model = model
        self.values = values
        self.params = {name: _kind_of(name, value) for name, value in values.items()}
        self._ordering: tuple = ()
        self._position: tuple[str, datetime | str | int | uuid.UUID] | None = None

    def queryset(self) -> QuerySet:
        """Return the list as a plain QuerySet (not prepared)."""
        return self.build(**self.values)

    # What CursorPagination calls:

    def order_by(self, *ordering: str) -> "PreparedList":
        clone = copy.copy(self)
        clone._ordering = ordering
        return clone

    def filter(self, **kwargs) -> "PreparedList":
        ((lookup, value),) = kwargs.items()  # the cursor's position: `<field>__lt` / `__gt`
        field_name, _, operator = lookup.rpartition("__")
        if operator not in ("lt", "gt") or self._position is not None:
            raise TypeError(f"PreparedList filters only by a cursor position, not {lookup!r}.")
        value = self.model._meta.get_field(field_name).get_prep_value(value)
        clone = copy.copy(self)
        clone._position = (lookup, value)
        return clone

    def __getitem__(self, bounds: slice) -> list:
        if not isinstance(bounds, slice) or bounds.step is not None:
            raise TypeError("PreparedList takes one slice, the page.")
        values = dict(self.values)
        lookup = None
        if self._position is not None:
            lookup, values["position"] = self._position
        params = tuple(sorted(self.params.items(), key=lambda item: item[0]))
        query = _list_query(
            self.build,
            params,
            self._ordering,
            lookup,
            _kind_of("position", values["position"]) if lookup else None,
            bounds.start or 0,
            bounds.stop,
        )
        return query.all(**values)


def _kind_of(name: str, value) -> type:
    for kind in _SUPPORTED:
        if isinstance(value, kind) and not isinstance(value, bool):
            return kind
    raise TypeError(f"PreparedList value {name!r}: {type(value).__name__} cannot be prepared.")


@lru_cache(maxsize=128)
def _list_query(build, params, ordering, lookup, position_kind, start, stop):
    """Return the prepared page query of one shape of a `PreparedList` (128 kept)."""
    names = dict(params)
    if lookup is not None:
        names["position"] = position_kind

    def page(**values):
        position = values.pop("position", None)
        queryset = build(**values).order_by(*ordering)
        if lookup is not None:
            queryset = queryset.filter(**{lookup: position})
        return queryset[start:stop]

    return PreparedQuery(page, **names)
