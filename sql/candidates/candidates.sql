-- candidates(recs, seen, items, k := 100) -> (model, user_id, item_id, score, rank)
--
-- The candidate lists of the query phase. Each (model, user_id) list loses the items
-- the user has already seen and the items missing from the catalogue. It is then
-- ranked by score descending with ties to the lower item_id (a NULL score last) and
-- cut to the top k. Ranks are counted after the filtering, from 1.
-- recs: table name, one row per (model, user_id, item_id, score). An item listed twice
--     for the same user and model is kept once with its highest score. Rows with a
--     NULL user_id or item_id are dropped.
-- seen: table name, one row per (user_id, item_id) the user interacted with, such as
--     interactions; a pair drops the item from that user's lists of every model
-- items: table name of the catalogue, one row per item_id
-- k: positive integer, the most candidates kept per list
-- Example:
--     select * from candidates('recommendations', 'interactions', 'items', k := 20)
--     where user_id = 1;
create or replace macro candidates(recs, seen, items, k := 100) as table
with _cutoff as (
    select _check_k('candidates', k) as k_value
),

_unseen as (
    select r.model, r.user_id, r.item_id, max(r.score) as score
    from _checked_recs(recs, 'candidates') as r
    semi join query_table(items) as i
        on i.item_id = r.item_id
    anti join query_table(seen) as s
        on s.user_id = r.user_id and s.item_id = r.item_id
    where r.user_id is not null
    group by r.model, r.user_id, r.item_id
),

_ranked as (
    select
        *,
        row_number() over (
            partition by model, user_id
            order by score desc nulls last, item_id
        ) as rank
    from _unseen
)

select r.model, r.user_id, r.item_id, r.score, r.rank
from _ranked as r
cross join _cutoff as c
where r.rank <= c.k_value
order by r.model, r.user_id, r.rank;
