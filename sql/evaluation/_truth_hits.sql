-- _truth_hits(recs, truth, macro_name := '_truth_hits')
--     -> (model, user_id, item_id, rank)
--
-- The recommended items that are held-out items of the same user, with their rank in
-- the list as _ranked_lists computes it (score descending, ties to the lower
-- item_id, each item once).
-- recs: table name, one row per (model, user_id, item_id, score)
-- truth: table name, one row per held-out (user_id, item_id); duplicates count once,
--     and a row with a NULL user_id or item_id is ignored
-- macro_name: name of the calling macro, put at the start of an error about recs
-- Example: select * from _truth_hits('recommendations', 'holdout') where rank <= 10;
create or replace macro _truth_hits(
    recs, truth, macro_name := '_truth_hits'
) as table
with _truth_pairs as (
    select distinct user_id, item_id
    from query_table(truth)
    where user_id is not null and item_id is not null
)

select r.model, r.user_id, r.item_id, r.rank
from _ranked_lists(recs, macro_name := macro_name) as r
join _truth_pairs as t
    on t.user_id = r.user_id and t.item_id = r.item_id;
