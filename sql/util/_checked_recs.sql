-- _checked_recs(recs, macro_name) -> (model, user_id, item_id, score)
--
-- The rows of a recommendations table, after checking its shape: it must have the
-- columns model, user_id, item_id and score, and score must be a number. Otherwise
-- it raises an error that names the calling macro and the table:
-- `recall_at_k: invalid recs 'rs': score is VARCHAR, expected a number type (cast it,
-- for example score::double)`. Text scores would sort as text ('9' above '10'), so
-- they are rejected instead of ranked.
-- recs: table name, one row per (model, user_id, item_id, score); other columns are
--     left out
-- macro_name: name of the calling macro, put at the start of the message
-- Example: select * from _checked_recs('recommendations', 'recall_at_k') limit 3;
create or replace macro _checked_recs(recs, macro_name) as table
with _padded as (
    -- The empty row set of NULL columns gives a missing column a value, so the macro
    -- binds and the check below can name the column instead of the binder failing.
    select *
    from (
        select null as model, null as user_id, null as item_id, null as score
        where false
    )
    union all by name
    select *
    from query_table(recs)
),

_shape as (
    -- The left join on false yields one all-NULL row that still has the columns of
    -- recs, so the check runs even when recs is empty.
    select
        list_filter(
            ['model', 'user_id', 'item_id', 'score'],
            lambda c: not list_contains(struct_keys(r), c)
        ) as missing_columns,
        typeof(p.score) as score_type
    from (select 1) as one
    left join query_table(recs) as r
        on false
    left join _padded as p
        on false
),

_checked as (
    select
        case
            when len(missing_columns) > 0
                then error(
                    macro_name || ': invalid recs ''' || recs || ''': missing column '
                    || array_to_string(missing_columns, ', ')
                    || ', expected model, user_id, item_id and score'
                )
            when not _is_numeric_type(score_type)
                then error(
                    macro_name || ': invalid recs ''' || recs || ''': score is '
                    || score_type
                    || ', expected a number type (cast it, for example score::double)'
                )
            else true
        end as is_valid
    from _shape
)

select p.model, p.user_id, p.item_id, p.score
from _padded as p
cross join _checked as c
where c.is_valid;
