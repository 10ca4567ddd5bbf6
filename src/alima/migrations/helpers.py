"""The building blocks the revisions in ``versions/`` share, so that each states only its tables.

A table is written as autogenerate writes it: its columns, then the columns of the record
mixins (id, timestamps, author, soft delete), its check constraints, its foreign keys (named by
the metadata's convention, sorted by column), its primary and unique keys, then its indexes
(sorted by name). A revision declares its tables once (:func:`table`); :func:`create_tables`
makes them and :func:`drop_tables` undoes that in the reverse order.

Frozen: revisions already written call these helpers, and a revision must build the same schema
on a database migrated today as on one migrated when it was written. So a helper never changes
what it emits once a revision uses it; a new shape gets a new helper (or a new keyword whose
default keeps the old output). Only SQLAlchemy and Alembic here: never the application's models
or code, which change over time.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from alembic import op

#: The record mixins a table carries, each level adding to the one before it: ``id`` the UUID
#: key, ``stamped`` the creation and update times, ``authored`` the author (a user), ``deleted``
#: the soft-delete columns (when, why, by whom).
Record = Literal["none", "id", "stamped", "authored", "deleted"]
_LEVELS: tuple[Record, ...] = ("none", "id", "stamped", "authored", "deleted")


class Index(NamedTuple):
    """An index with a name of its own (several columns, unique, partial or covering)."""

    name: str
    columns: tuple[str, ...]
    unique: bool
    options: Mapping[str, Any]


def index(
    name: str, *columns: str, unique: bool = False, where: str | None = None, **options: Any
) -> Index:
    """An index named ``name`` on ``columns``, partial on both databases with ``where``;
    ``options`` are a dialect's own (``postgresql_include``)."""
    if where is not None:
        options = {**options, "sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
    return Index(name, columns, unique, options)


def record_columns(record: Record = "authored") -> list[sa.Column[Any]]:
    """The columns of the record mixins up to ``record``, in the models' order."""
    level = _LEVELS.index(record)
    columns: list[sa.Column[Any]] = []
    if level >= _LEVELS.index("id"):
        columns.append(sa.Column("id", sa.Uuid(), nullable=False))
    if level >= _LEVELS.index("stamped"):
        columns += [
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        ]
    if level >= _LEVELS.index("authored"):
        columns.append(sa.Column("created_by_id", sa.Uuid(), nullable=True))
    if level >= _LEVELS.index("deleted"):
        columns += [
            sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("deleted_reason", sa.Text(), nullable=True),
            sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        ]
    return columns


def ref(column: str, target: str, *, nullable: bool = False, index: bool = False) -> sa.Column[Any]:
    """A UUID column holding the id of a ``target`` row: :func:`create_table` gives it its
    foreign key and, with ``index``, a plain index (as ``ForeignKey(...), index=True`` in a model)."""
    return sa.Column(
        column, sa.Uuid(), nullable=nullable, info={"references": target, "index": index}
    )


def fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """``table.column`` refers to ``target.id``, named by the metadata's naming convention."""
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name)


def at_least(column: str, bound: int | str = 0, *, nullable: bool = False) -> str:
    """``column >= bound`` (a number or another column), or NULL when ``nullable``."""
    condition = f"{column} >= {bound}"
    return f"{column} IS NULL OR {condition}" if nullable else condition


def above(column: str, bound: int = 0) -> str:
    """``column > bound``."""
    return f"{column} > {bound}"


def in_range(column: str, low: int, high: int, *, nullable: bool = False) -> str:
    """``low <= column <= high``, or NULL when ``nullable``."""
    condition = f"{column} >= {low} AND {column} <= {high}"
    return f"{column} IS NULL OR ({condition})" if nullable else condition


def one_of(column: str, *values: str | int, nullable: bool = False) -> str:
    """``column IN (values)`` (strings quoted, numbers not), or NULL when ``nullable``."""
    listed = ", ".join(f"'{value}'" if isinstance(value, str) else str(value) for value in values)
    condition = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {condition}" if nullable else condition


class Table(NamedTuple):
    """A table as :func:`table` declares it: :func:`create_tables` makes it, :func:`drop_tables`
    takes it away."""

    name: str
    items: tuple[sa.Column[Any] | sa.Constraint, ...]
    record: Record
    checks: Mapping[str, str]
    primary_key: Sequence[str]
    unique: Sequence[tuple[str, ...]]
    named_unique: Mapping[str, Sequence[str]]
    indexes: Sequence[str | Index]


def table(
    name: str,
    *items: sa.Column[Any] | sa.Constraint,
    record: Record = "authored",
    checks: Mapping[str, str] | None = None,
    primary_key: Sequence[str] = ("id",),
    unique: Sequence[str | Sequence[str]] = (),
    named_unique: Mapping[str, Sequence[str]] | None = None,
    indexes: Sequence[str | Index] = (),
) -> Table:
    """A table and its indexes.

    ``items`` are the table's own columns (a :func:`ref` brings its foreign key and index),
    then any constraint of another shape, which comes before the generated ones. ``record``
    adds the mixins' columns after them (the author and the deleter refer to ``core_user``).
    ``checks`` maps a check's name suffix (``ck_<table>_<suffix>``) to its condition;
    ``unique`` lists keys named by the convention, ``named_unique`` keys with a name of their
    own; ``indexes`` as in :func:`create_indexes`.
    """
    indexed = [c.name for c in items if isinstance(c, sa.Column) and c.info.get("index")]
    return Table(
        name,
        items,
        record,
        checks or {},
        primary_key,
        [(key,) if isinstance(key, str) else tuple(key) for key in unique],
        named_unique or {},
        [*indexes, *indexed],
    )


def create_tables(*tables: Table) -> None:
    """Create ``tables`` in order, each followed by its indexes."""
    for spec in tables:
        _create(spec)


def drop_tables(*tables: Table) -> None:
    """Drop what :func:`create_tables` made, last table first, each after its indexes."""
    for spec in reversed(tables):
        if spec.indexes:
            drop_indexes(spec.name, *spec.indexes)
        op.drop_table(spec.name)


def _create(spec: Table) -> None:
    name, level = spec.name, _LEVELS.index(spec.record)
    columns = [item for item in spec.items if isinstance(item, sa.Column)]
    references = {c.name: c.info["references"] for c in columns if "references" in c.info}
    if level >= _LEVELS.index("authored"):
        references["created_by_id"] = "core_user"
    if level >= _LEVELS.index("deleted"):
        references["deleted_by_id"] = "core_user"
    op.create_table(
        name,
        *columns,
        *record_columns(spec.record),
        *[item for item in spec.items if not isinstance(item, sa.Column)],
        *[
            sa.CheckConstraint(condition, name=op.f(f"ck_{name}_{suffix}"))
            for suffix, condition in spec.checks.items()
        ],
        *[fk(name, column, references[column]) for column in sorted(references)],
        sa.PrimaryKeyConstraint(*spec.primary_key, name=op.f(f"pk_{name}")),
        *[sa.UniqueConstraint(*key, name=op.f(f"uq_{name}_{key[0]}")) for key in spec.unique],
        *[sa.UniqueConstraint(*key, name=key_name) for key_name, key in spec.named_unique.items()],
    )
    if spec.indexes:
        create_indexes(name, *spec.indexes)


def _index_name(table: str, spec: str | Index) -> str:
    return f"ix_{table}_{spec}" if isinstance(spec, str) else spec.name


def create_indexes(table: str, *indexes: str | Index) -> None:
    """Create indexes on ``table`` in the order of their names: a column alone gets a plain
    index named by the convention (``ix_<table>_<column>``), an :class:`Index` its own name."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for spec in sorted(indexes, key=lambda spec: _index_name(table, spec)):
            if isinstance(spec, str):
                batch_op.create_index(batch_op.f(f"ix_{table}_{spec}"), [spec], unique=False)
            else:
                batch_op.create_index(
                    spec.name, list(spec.columns), unique=spec.unique, **spec.options
                )


def drop_indexes(table: str, *indexes: str | Index) -> None:
    """Drop the indexes :func:`create_indexes` made with the same arguments, last first."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for spec in sorted(indexes, key=lambda spec: _index_name(table, spec), reverse=True):
            if isinstance(spec, str):
                batch_op.drop_index(batch_op.f(f"ix_{table}_{spec}"))
            else:
                batch_op.drop_index(spec.name, **spec.options)
