-- _ranked_lists(recs) -> (model, user_id, item_id, score, rank)
--
-- Rank each (model, user_id) list by score descending, ties to the lower item_id and a
-- NULL score last, ranks from 1: the order the metric macros score, and the order the
-- rerank macros start from. An item listed twice for the same user and model is kept
-- once with its highest score.
-- recs: table name, one row per (model, user_id, item_id, score). Other columns, such
--     as a stored rank, are ignored. Rows with a NULL user_id or item_id are dropped.
-- Example: select * from _ranked_lists('recommendations') where rank <= 3;
create or replace macro _ranked_lists(recs) as table
with deduplicated as (
    select model, user_id, item_id, max(score) as score
    from query_table(recs)
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
from deduplicated;
