-- _ranked_lists(recs, macro_name := '_ranked_lists')
--     -> (model, user_id, item_id, score, rank)
--
-- Rank each (model, user_id) list by score descending, ties to the lower item_id and a
-- NULL score last, ranks from 1: the order the metric macros score, and the order the
-- rerank macros start from. An item listed twice for the same user and model is kept
-- once with its highest score.
-- recs: table name, one row per (model, user_id, item_id, score). Other columns, such
--     as a stored rank, are ignored. Rows with a NULL user_id or item_id are dropped.
--     A table without these columns, or with a score that is not a number, raises
--     an error (see _checked_recs).
-- macro_name: name of the calling macro, put at the start of such an error
-- Example: select * from _ranked_lists('recommendations') where rank <= 3;
create or replace macro _ranked_lists(
    recs, macro_name := '_ranked_lists'
) as table
with _deduplicated as (
    select model, user_id, item_id, max(score) as score
    from _checked_recs(recs, macro_name)
    where user_id is not null and item_id is not null
    group by model, user_id, item_id
)

select
    model,
    user_id,
    item_id,
    score,
    row_number() over (
        partition by model, user_id
        order by score desc nulls last, item_id
    ) as rank
from _deduplicated;
