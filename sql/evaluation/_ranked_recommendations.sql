-- _ranked_recommendations(recs) -> (model, user_id, item_id, score, rank)
--
-- Rank each (model, user_id) list by score descending, ties to the lower item_id, ranks
-- from 1. An item listed twice for the same user and model is kept once with its
-- highest score (its best position), so the list contains each item at most once.
-- recs: table name, one row per (model, user_id, item_id, score); other columns,
--     such as a stored rank, are ignored
-- Example: select * from _ranked_recommendations('recommendations') where rank <= 10;
create or replace macro _ranked_recommendations(recs) as table
with deduplicated as (
    select model, user_id, item_id, max(score) as score
    from query_table(recs)
    group by model, user_id, item_id
)

select
    model,
    user_id,
    item_id,
    score,
    row_number() over (partition by model, user_id order by score desc, item_id) as rank
from deduplicated;
