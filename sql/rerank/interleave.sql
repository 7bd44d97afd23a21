-- interleave(recs, items, key := 'channel', max_run := 2, k := 10)
--     -> (model, user_id, item_id, score, rank)
--
-- A rerank that breaks up runs. Each (model, user_id) list of k items is built one
-- place at a time from the best remaining item. When that item would make more than
-- max_run items with the same value of the metadata column key follow each other,
-- the best remaining item that does not is taken instead. Items whose key is NULL
-- break a run and never extend one. When every remaining item would extend the run,
-- the best of them is taken anyway, so a list keeps all its items and the rule can
-- fail at its end.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id, an item listed twice counts
--     once with its highest score.
-- items: table name of the catalogue, one row per item_id with the column key
-- key: name of a column of items, such as 'channel' or 'franchise'
-- max_run: positive integer, the most items in a row with the same key value
-- k: positive integer, the length of each reranked list
-- Caveats: the choice is greedy, one place at a time, so it never moves an item up
--     further than the rule needs, and it does not search for the order that breaks
--     the fewest runs. A recursive CTE takes k steps, each over the remaining list, so
--     long input lists cost k x their length per user.
-- Example:
--     select * from interleave('recommendations', 'items', key := 'channel', k := 5)
--     where user_id = 1;
create or replace macro interleave(
    recs, items, key := 'channel', max_run := 2, k := 10
) as table
with recursive _settings as (
    select
        _check_k('interleave', k) as k_value,
        _check_positive('interleave', 'max_run', max_run) as run_cap
),

_lists as (
    select
        r.model,
        r.user_id,
        list(
            {'item_id': r.item_id, 'score': r.score, 'key_value': a.value}
            order by r.rank
        ) as remaining
    from _ranked_lists(recs, macro_name := 'interleave') as r
    left join _item_attribute(items, 'interleave', 'key', key) as a
        on a.item_id = r.item_id
    group by r.model, r.user_id
),

_steps as (
    -- Step 0 has taken nothing; each later step takes one item off remaining.
    select
        model,
        user_id,
        0 as rank,
        null::struct(item_id bigint, score double, key_value varchar) as taken,
        0 as run_length,
        remaining
    from _lists

    union all

    select
        p.model,
        p.user_id,
        p.rank + 1 as rank,
        p.remaining[p.choice] as taken,
        case
            when p.remaining[p.choice].key_value is null then 0
            when p.remaining[p.choice].key_value = p.taken.key_value
                then p.run_length + 1
            else 1
        end as run_length,
        list_concat(p.remaining[:p.choice - 1], p.remaining[p.choice + 1:]) as remaining
    from (
        select
            s.*,
            coalesce(
                list_position(
                    list_transform(
                        s.remaining,
                        lambda c: c.key_value is null
                            or c.key_value is distinct from s.taken.key_value
                            or s.run_length < g.run_cap
                    ),
                    true
                ),
                1
            ) as choice
        from _steps as s
        cross join _settings as g
        where s.rank < g.k_value and len(s.remaining) > 0
    ) as p
)

select
    model,
    user_id,
    taken.item_id as item_id,
    taken.score as score,
    rank
from _steps
where rank > 0
order by model, user_id, rank;
