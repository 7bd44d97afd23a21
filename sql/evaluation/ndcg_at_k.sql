-- ndcg_at_k(recs, truth, k := 10) -> (model, user_id, value)
--
-- NDCG@k per model and user with binary gains: the sum of 1 / log2(rank + 1) over
-- held-out items in the top k, divided by the sum of 1 / log2(r + 1) for
-- r = 1 .. min(|T_u|, k), the best a list could score.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id. An item listed twice counts
--     once, at its best position.
-- truth: table name, one row per held-out (user_id, item_id); its users are the
--     evaluated users, and one with no recommendation from a model gets 0. A row
--     with a NULL user_id or item_id is ignored.
-- k: positive integer cutoff; a k longer than a list takes the whole list
-- Example:
--     select model, avg(value) from ndcg_at_k('recommendations', 'holdout')
--     group by model;
create or replace macro ndcg_at_k(recs, truth, k := 10) as table
with _cutoff as (
    select _check_k('ndcg_at_k', k) as k_value
),

_gains as (
    select h.model, h.user_id, sum(1.0 / log2(h.rank + 1)) as dcg
    from _truth_hits(recs, truth, macro_name := 'ndcg_at_k') as h
    cross join _cutoff as c
    where h.rank <= c.k_value
    group by h.model, h.user_id
),

_ideal as (
    select
        e.model,
        e.user_id,
        list_sum(
            list_transform(
                range(1, least(e.truth_count, c.k_value) + 1),
                lambda r: 1.0 / log2(r + 1)
            )
        ) as ideal_dcg
    from _evaluated_users(recs, truth) as e
    cross join _cutoff as c
)

select i.model, i.user_id, coalesce(g.dcg, 0) / i.ideal_dcg as value
from _ideal as i
left join _gains as g
    on g.model = i.model and g.user_id = i.user_id
order by i.model, i.user_id;
