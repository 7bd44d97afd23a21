"""Register the serving UDFs and the item_vectors view in a DuckDB connection."""

from __future__ import annotations

import logging

import duckdb

from engine.sqlfunctions._item_vectors import register_item_vectors
from engine.sqlfunctions._serving import ServingFunctions

_log = logging.getLogger(__name__)

RESULT_TYPE = "STRUCT(item_id BIGINT, score DOUBLE, rank INTEGER)[]"

#: The names analysts call; the underscore UDFs behind them are internal.
FUNCTION_NAMES = ("recommend", "similar_items", "item_embedding")

# Macros give recommend its two forms, because a Python UDF cannot be overloaded.
# They check k with the _check_k macro first, so a k that is not a positive integer
# (2.5, '10') raises an error that names the function instead of a binder error
# about the UDF. A NULL k skips the check and the UDF returns NULL.
# They check hour and weekday too, because DuckDB 2.0 wraps an exception raised in
# a Python UDF as "Python exception occurred while executing the UDF: ...", while
# error() raises the message alone. The UDF keeps its own checks.
_MACROS = """
create or replace temp macro _checked_k(function_name, k) as
    case when k is null then null else _check_k(function_name, k) end;
create or replace temp macro _checked_hour(hour) as
    case
        when hour is null or hour between 0 and 23 then hour
        else error(
            'recommend: invalid hour: ' || hour::varchar
            || ', expected an integer from 0 to 23'
        )
    end;
create or replace temp macro _checked_weekday(weekday) as
    case
        when weekday is null or weekday between 1 and 7 then weekday
        else error(
            'recommend: invalid weekday: ' || weekday::varchar
            || ', expected 1 (Monday) to 7 (Sunday)'
        )
    end;
create or replace temp macro recommend(user_id, k) as
    _recommend_now(user_id, _checked_k('recommend', k)),
    (user_id, k, hour, weekday) as
    _recommend_at(
        user_id,
        _checked_k('recommend', k),
        _checked_hour(hour),
        _checked_weekday(weekday)
    );
create or replace temp macro similar_items(item_id, k) as
    _similar_items(item_id, _checked_k('similar_items', k));
"""


def register_functions(con: duckdb.DuckDBPyConnection, store) -> None:
    """Add the serving UDFs and, when a version is active, the item_vectors view.

    Registering loads no model and does not open LanceDB for the UDFs: the first
    call of a UDF loads the active version through ``store.recommender()``.
    NULL arguments and unknown ids give NULL; a bad ``k``, hour or weekday and a
    store without an active version raise, which fails the query.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection to the store's catalog.
    store : Store
        The store whose active version the UDFs and the view read.
    """
    functions = ServingFunctions(store)
    udfs = [
        ("_recommend_now", functions.recommend_now, ["BIGINT", "BIGINT"], RESULT_TYPE),
        (
            "_recommend_at",
            functions.recommend_at,
            ["BIGINT", "BIGINT", "BIGINT", "BIGINT"],
            RESULT_TYPE,
        ),
        ("_similar_items", functions.similar_items, ["BIGINT", "BIGINT"], RESULT_TYPE),
        ("item_embedding", functions.item_embedding, ["BIGINT"], "FLOAT[]"),
    ]
    for name, callback, parameters, return_type in udfs:
        con.create_function(
            name,
            callback,
            parameters,
            return_type,
            type="arrow",
            null_handling="special",
        )
    con.execute(_MACROS)
    register_item_vectors(con, store)
    _log.debug("registered %d SQL functions", len(udfs))
