-- summary_metrics(recs, truth, ranks)
--     -> (model, user_count, recall_at_10, recall_at_30, recall_at_100, ndcg_at_10,
--         mrr)
--
-- One row per model with the metrics `sqlrec evaluate` reports, each the plain mean
-- over the evaluated users (the users of truth) of recall_at_k (k = 10, 30, 100),
-- ndcg_at_k (k = 10) and mrr.
-- recs: table name, one row per (model, user_id, item_id, score), at least the top 100
--     of every list, or recall@100 counts only what is there
-- truth: table name, one row per held-out (user_id, item_id); a row with a NULL
--     user_id or item_id is ignored
-- ranks: table name, one row per (model, user_id, item_id, rank) with each held-out
--     item's full rank among the candidates
-- Caveat: a model of recs that is missing from ranks gets a NULL mrr.
-- Example:
--     select * from summary_metrics('recommendations', 'holdout', 'holdout_ranks');
create or replace macro summary_metrics(recs, truth, ranks) as table
select
    r10.model,
    count(*) as user_count,
    avg(r10.value) as recall_at_10,
    avg(r30.value) as recall_at_30,
    avg(r100.value) as recall_at_100,
    avg(n10.value) as ndcg_at_10,
    avg(rr.value) as mrr
from recall_at_k(recs, truth, k := 10) as r10
join recall_at_k(recs, truth, k := 30) as r30
    on r30.model = r10.model and r30.user_id = r10.user_id
join recall_at_k(recs, truth, k := 100) as r100
    on r100.model = r10.model and r100.user_id = r10.user_id
join ndcg_at_k(recs, truth, k := 10) as n10
    on n10.model = r10.model and n10.user_id = r10.user_id
left join mrr(ranks, truth) as rr
    on rr.model = r10.model and rr.user_id = r10.user_id
group by r10.model
order by r10.model;
