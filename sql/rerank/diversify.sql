-- diversify(recs, items, key := 'franchise', max_per_key := 1, k := 10)
--     -> (model, user_id, item_id, score, rank)
--
-- A diversity-constrained rerank: walk each (model, user_id) list in its order and
-- keep an item only while fewer than max_per_key items with the same value of the
-- metadata column key are kept above it, then cut to the top k. Items whose key is
-- NULL are never held back. Ranks are counted after the rerank, from 1, and the order
-- of the kept items does not change, so the walk needs no look-ahead.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id, an item listed twice counts
--     once with its highest score.
-- items: table name of the catalogue, one row per item_id with the column key
-- key: name of a column of items, such as 'franchise', 'channel' or 'year'
-- max_per_key: positive integer, the most items kept per value of key and list
-- k: positive integer, the length of each reranked list
-- Caveats: an item missing from items has a NULL key, so it is never held back (drop
--     such items first with candidates). List values (genres) compare as whole lists.
-- Example:
--     select * from diversify('recommendations', 'items', key := 'franchise', k := 5)
--     where user_id = 1;
create or replace macro diversify(
    recs, items, key := 'franchise', max_per_key := 1, k := 10
) as table
with _settings as (
    select
        _check_k('diversify', k) as k_value,
        _check_positive('diversify', 'max_per_key', max_per_key) as cap
),

_keyed as (
    select r.*, a.value as key_value
    from _ranked_lists(recs, macro_name := 'diversify') as r
    left join _item_attribute(items, 'diversify', 'key', key) as a
        on a.item_id = r.item_id
),

_capped as (
    select
        *,
        row_number() over (
            partition by model, user_id, key_value
            order by rank
        ) as key_position
    from _keyed
),

_kept as (
    select
        c.model,
        c.user_id,
        c.item_id,
        c.score,
        row_number() over (partition by c.model, c.user_id order by c.rank) as rank
    from _capped as c
    cross join _settings as s
    where c.key_value is null or c.key_position <= s.cap
)

select r.model, r.user_id, r.item_id, r.score, r.rank
from _kept as r
cross join _settings as s
where r.rank <= s.k_value
order by r.model, r.user_id, r.rank;
