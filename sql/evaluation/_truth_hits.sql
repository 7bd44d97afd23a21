-- _truth_hits(recs, truth) -> (model, user_id, item_id, rank)
--
-- The recommended items that are held-out items of the same user, with their rank in
-- the list as _ranked_lists computes it (score descending, ties to the lower
-- item_id, each item once).
-- recs: table name, one row per (model, user_id, item_id, score)
-- truth: table name, one row per held-out (user_id, item_id); duplicates count once
-- Example: select * from _truth_hits('recommendations', 'holdout') where rank <= 10;
create or replace macro _truth_hits(recs, truth) as table
with truth_pairs as (
    select distinct user_id, item_id
    from query_table(truth)
)

select r.model, r.user_id, r.item_id, r.rank
from _ranked_lists(recs) as r
join truth_pairs as t
    on t.user_id = r.user_id and t.item_id = r.item_id;
