"""Load interactions: checked against the items and the stored rows, then appended."""

from __future__ import annotations

import duckdb

from engine.ingest import _rejects as reasons
from engine.ingest._convert import (
    convert,
    invalid_condition,
    literal,
    quote,
    to_id,
    to_timestamp,
)
from engine.ingest._rejects import LINE, REASON, insert_checked_rejects
from engine.ingest._source import (
    CHECKED,
    INPUT,
    LoadCounts,
    Source,
    raw_expression,
    reason_case,
    required_checks,
)

COLUMNS = ("user_id", "item_id", "timestamp", "weight", "device")


def load_interactions(
    con: duckdb.DuckDBPyConnection, source: Source, types: dict[str, str]
) -> LoadCounts:
    """Check the interactions of ``source`` and append the good rows.

    A row gets the first reason that applies: an id or the timestamp is missing
    or does not convert, the weight does not convert, the item is not in
    ``items``, the same (user, item, timestamp) is stored, or an earlier line of
    the input has it. Users not in ``users`` are added there with null columns.
    """
    values, checks = _converted_columns(source, types)
    con.execute(
        f"""
        create temp table {CHECKED} as
        with converted as (
            select {LINE}, {", ".join(values)}, {reason_case(checks)} as {REASON}
            from {INPUT}
        ),

        matched as (
            select c.* replace (
                case
                    when {REASON} is not null then {REASON}
                    when not exists (
                        select 1 from items as i where i.item_id = c.item_id
                    ) then {literal(reasons.UNKNOWN_ITEM)}
                    when exists (
                        select 1 from interactions as i
                        where i.user_id = c.user_id
                            and i.item_id = c.item_id
                            and i.timestamp = c.timestamp
                    ) then {literal(reasons.DUPLICATE_INTERACTION)}
                end as {REASON}
            )
            from converted as c
        )

        select * replace (
            case
                when {REASON} is null and row_number() over (
                    partition by user_id, item_id, timestamp, {REASON} is null
                    order by {LINE}
                ) > 1 then {literal(reasons.DUPLICATE_INTERACTION)}
                else {REASON}
            end as {REASON}
        )
        from matched
        """
    )
    counts = insert_checked_rejects(
        con,
        source.name,
        checked=CHECKED,
        rows=INPUT,
        raw_expression=raw_expression(source),
    )
    (loaded,) = con.execute(
        f"insert into interactions ({', '.join(COLUMNS)}) "
        f"select {', '.join(COLUMNS)} from {CHECKED} "
        f"where {REASON} is null order by {LINE}"
    ).fetchone()

    # A user named only by interactions gets a users row with null columns.
    (created,) = con.execute(
        f"insert into users (user_id) select distinct user_id from {CHECKED} as c "
        f"where {REASON} is null "
        f"and not exists (select 1 from users as u where u.user_id = c.user_id)"
    ).fetchone()
    return LoadCounts(loaded=loaded, updated=0, reasons=counts, created_users=created)


def _converted_columns(source: Source, types: dict[str, str]):
    """Return the select list of the catalog columns and the checks of each row."""
    columns = source.columns
    user = to_id(quote(columns["user_id"]), types[columns["user_id"]])
    item = to_id(quote(columns["item_id"]), types[columns["item_id"]])
    timestamp = to_timestamp(quote(columns["timestamp"]), types[columns["timestamp"]])
    checks = (
        required_checks("user_id", columns["user_id"], user)
        + required_checks("item_id", columns["item_id"], item)
        + required_checks("timestamp", columns["timestamp"], timestamp)
    )

    # The weight defaults to 1.0 where the column or the value is absent.
    weight, device = "1.0", "cast(null as varchar)"
    if "weight" in columns:
        source_weight = quote(columns["weight"])
        weight_type = types[columns["weight"]]
        value = convert(source_weight, weight_type, "DOUBLE")
        weight = f"coalesce({value}, 1.0)"
        condition = invalid_condition(source_weight, value, weight_type, "DOUBLE")
        checks.append((condition, reasons.invalid("weight")))
    if "device" in columns:
        device = convert(quote(columns["device"]), types[columns["device"]], "VARCHAR")

    values = [
        f"{user} as user_id",
        f"{item} as item_id",
        f"{timestamp} as timestamp",
        f"{weight} as weight",
        f"{device} as device",
    ]
    return values, checks
