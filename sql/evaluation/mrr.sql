-- mrr(ranks, truth) -> (model, user_id, value)
--
-- Reciprocal rank per model and user: 1 / rank of the user's best-ranked held-out item,
-- averaged over users by the caller to give MRR.
-- ranks: table name, one row per (model, user_id, item_id, rank) with the full rank of
--     an item among the user's candidates (1 = first); evaluation writes it as
--     holdout_ranks. Rows for items outside truth are ignored, and so is a NULL rank
--     (a held-out item that was not a candidate).
-- truth: table name, one row per held-out (user_id, item_id); its users are the
--     evaluated users, and one with no ranked held-out item gets 0. A row with a
--     NULL user_id or item_id is ignored.
-- Caveat: ranks are taken as given, and a score column is ignored. To score a top-k
--     list instead, rank it first with the score ordering of recall_at_k.
-- Example:
--     select model, avg(value) as mrr from mrr('holdout_ranks', 'holdout')
--     group by model;
create or replace macro mrr(ranks, truth) as table
with _truth_pairs as (
    select distinct user_id, item_id
    from query_table(truth)
    where user_id is not null and item_id is not null
),

_best as (
    select r.model, r.user_id, min(r.rank) as best_rank
    from query_table(ranks) as r
    join _truth_pairs as t
        on t.user_id = r.user_id and t.item_id = r.item_id
    where r.rank is not null
    group by r.model, r.user_id
)

select e.model, e.user_id, coalesce(1.0 / b.best_rank, 0) as value
from _evaluated_users(ranks, truth) as e
left join _best as b
    on b.model = e.model and b.user_id = e.user_id
order by e.model, e.user_id;
