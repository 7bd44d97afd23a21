-- recall_at_k(recs, truth, k := 10) -> (model, user_id, value)
--
-- Recall@k per model and user: |top-k ∩ T_u| / |T_u|, where T_u is the user's set of
-- held-out items. With one held-out item per user (protocol `loo`) it is the hit rate.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id. An item listed twice counts
--     once, at its best position.
-- truth: table name, one row per held-out (user_id, item_id); its users are the
--     evaluated users, and one with no recommendation from a model gets 0. A row
--     with a NULL user_id or item_id is ignored.
-- k: positive integer cutoff; a k longer than a list takes the whole list
-- Caveat: a user of recs that is missing from truth is not evaluated.
-- Example:
--     select model, avg(value) from recall_at_k('recommendations', 'holdout', k := 30)
--     group by model;
create or replace macro recall_at_k(recs, truth, k := 10) as table
with _cutoff as (
    select _check_k('recall_at_k', k) as k_value
),

_hits as (
    select h.model, h.user_id, count(*) as hit_count
    from _truth_hits(recs, truth, macro_name := 'recall_at_k') as h
    cross join _cutoff as c
    where h.rank <= c.k_value
    group by h.model, h.user_id
)

select
    e.model,
    e.user_id,
    coalesce(h.hit_count, 0)::double / e.truth_count as value
from _evaluated_users(recs, truth) as e
left join _hits as h
    on h.model = e.model and h.user_id = e.user_id
order by e.model, e.user_id;
