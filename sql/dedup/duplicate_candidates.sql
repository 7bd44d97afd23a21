-- duplicate_candidates(items, threshold := 0.95, running_time_tolerance := 2)
--     -> (item_id, duplicate_item_id, score, title, duplicate_title)
--
-- Pairs of items that are likely one item entered twice with slightly different
-- metadata: the same year, titles whose normalised forms (_normalized_title) are equal
-- or have a Jaro-Winkler similarity of at least threshold, the same numbers in both
-- titles, and running times at most running_time_tolerance minutes apart. score is
-- that similarity, 1 for equal normalised titles. Each pair comes once, the lower id
-- as item_id.
-- items: table name, one row per item_id with title and year, and running_time
--     (minutes) unless running_time_tolerance is NULL
-- threshold: number from 0 to 1, the lowest title similarity of a pair
-- running_time_tolerance: number >= 0, or NULL to leave running times uncompared
--     (for a catalogue without the column, such as MovieLens)
-- Caveats: requiring the same numbers keeps 'Part 1' and 'Part 2' apart, and also
--     'Toy Story (1995)' apart from a copy titled without its year. Roman numerals are
--     letters, so 'Rocky II' and 'Rocky III' pair if they share a year. An item with a
--     NULL title or year is never paired, and a NULL running time is not compared.
--     Only items of the same year are compared, so the cost grows with the square of
--     the items per year (20,000 demo items took about 4 s on two cores).
-- Example: select * from duplicate_candidates('items', threshold := 0.95);
create or replace macro duplicate_candidates(
    items, threshold := 0.95, running_time_tolerance := 2
) as table
with _settings as (
    select
        case
            when threshold is null or threshold < 0 or threshold > 1
                then error(
                    'duplicate_candidates: invalid threshold: '
                    || coalesce(threshold::varchar, 'null')
                    || ', expected a number from 0 to 1'
                )
            else threshold::double
        end as min_score,
        case
            when running_time_tolerance < 0
                then error(
                    'duplicate_candidates: invalid running_time_tolerance: '
                    || running_time_tolerance::varchar
                    || ', expected a number >= 0, or null to skip the comparison'
                )
            else running_time_tolerance::double
        end as tolerance
),

_checked as (
    -- The all-NULL row of a left join on false still has the columns of items.
    select
        case
            when s.tolerance is null or list_contains(struct_keys(i), 'running_time')
                then s.tolerance
            else error(
                'duplicate_candidates: invalid running_time_tolerance: '
                || running_time_tolerance::varchar
                || ', items has no running_time column (pass '
                || 'running_time_tolerance := null)'
            )
        end as tolerance
    from _settings as s
    left join query_table(items) as i
        on false
),

_normalised as (
    select
        i.item_id,
        i.title,
        i.year,
        _normalized_title(i.title) as title_key,
        regexp_extract_all(i.title, '[0-9]+') as numbers,
        -- Read through JSON so that a catalogue without the column still binds.
        (to_json(i) ->> 'running_time')::double as running_time
    from query_table(items) as i
    where i.title is not null and i.year is not null
),

_scored as (
    select
        a.item_id,
        b.item_id as duplicate_item_id,
        case
            when a.title_key = b.title_key then 1.0
            else jaro_winkler_similarity(a.title_key, b.title_key)
        end as score,
        a.title,
        b.title as duplicate_title,
        abs(a.running_time - b.running_time) as running_time_difference
    from _normalised as a
    join _normalised as b
        on b.year = a.year and b.item_id > a.item_id and b.numbers = a.numbers
)

select p.item_id, p.duplicate_item_id, p.score, p.title, p.duplicate_title
from _scored as p
cross join _settings as s
cross join _checked as c
where p.score >= s.min_score
    and (
        c.tolerance is null
        or p.running_time_difference is null
        or p.running_time_difference <= c.tolerance
    )
order by p.item_id, p.duplicate_item_id;
