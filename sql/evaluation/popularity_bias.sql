-- popularity_bias(recs, interactions, k := 10)
--     -> (model, recommendation_count, mean_interaction_count,
--         mean_popularity_percentile)
--
-- How popular the items a model recommends are. Over every (user, item) place in the
-- top k of the model's lists, it averages the item's interaction count and its
-- popularity percentile. The percentile is 100 x the share of the items of
-- interactions that have at most as many interactions as the item. The most popular
-- item is at 100, an item without any interaction at 0. A popularity-only model scores
-- close to 100, and a lower mean means a model reaches further into the long tail.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id. An item listed twice counts
--     once, at its best position.
-- interactions: table name, one row per interaction (user_id, item_id); an item's
--     interaction count is its number of rows
-- k: positive integer cutoff; a k longer than a list takes the whole list
-- Caveat: every place counts once, so a user with a longer list weighs more. When
--     every list has at least k items, every user weighs the same.
-- Example: select * from popularity_bias('recommendations', 'interactions', k := 10);
create or replace macro popularity_bias(recs, interactions, k := 10) as table
with _cutoff as (
    select _check_k('popularity_bias', k) as k_value
),

_popularity as (
    select
        item_id,
        count(*) as interaction_count,
        100 * cume_dist() over (order by count(*)) as popularity_percentile
    from query_table(interactions)
    group by item_id
),

_placed as (
    select
        r.model,
        coalesce(p.interaction_count, 0) as interaction_count,
        coalesce(p.popularity_percentile, 0) as popularity_percentile
    from _ranked_lists(recs, macro_name := 'popularity_bias') as r
    cross join _cutoff as c
    left join _popularity as p
        on p.item_id = r.item_id
    where r.rank <= c.k_value
)

select
    model,
    count(*) as recommendation_count,
    avg(interaction_count) as mean_interaction_count,
    avg(popularity_percentile) as mean_popularity_percentile
from _placed
group by model
order by model;
