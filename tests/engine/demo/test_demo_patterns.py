"""Signal planted in the demo interactions, measured in SQL as an analyst would.

The queries read the ``watches`` view of the ``con`` fixture (see conftest.py).

Thresholds sit well inside what the generator gives (checked over 25 seeds), so a
failure means a pattern got lost, not bad luck.
"""

from __future__ import annotations


def _row(con, sql: str) -> tuple:
    return con.execute(sql).fetchone()


def _value(con, sql: str) -> float:
    return _row(con, sql)[0]


def _shared_profile_shares(con, condition: str) -> tuple[float, float]:
    """Return the Animation and Thriller shares of shared profiles under a condition."""
    return _row(
        con,
        f"""
        select
            avg(list_contains(genres, 'Animation')::int),
            avg(list_contains(genres, 'Thriller')::int)
        from watches
        join shared_profiles using (user_id)
        where {condition}
        """,
    )


def test_animation_saturday_morning(con):
    overall = _value(
        con, "select avg(list_contains(genres, 'Animation')::int) from watches"
    )
    saturday_morning = _value(
        con,
        """
        select avg(list_contains(genres, 'Animation')::int)
        from watches
        where weekday = 6 and hour between 6 and 11
        """,
    )

    assert saturday_morning >= 2.0 * overall


def test_long_films_friday_evening(con):
    overall = _value(con, "select avg((running_time >= 80)::int) from watches")
    friday_evening = _value(
        con,
        """
        select avg((running_time >= 80)::int)
        from watches
        where weekday = 5 and hour >= 18
        """,
    )

    assert friday_evening >= overall + 0.15


def test_shared_profiles_switch_taste(con):
    morning = _shared_profile_shares(con, "weekday = 6 and hour between 6 and 11")
    evening = _shared_profile_shares(con, "weekday = 5 and hour >= 18")
    morning_animation, morning_thriller = morning
    evening_animation, evening_thriller = evening

    # Saturday morning the child watches: cartoons, hardly any thrillers.
    assert morning_animation >= 4.0 * evening_animation
    # Friday evening the adult watches: thrillers, hardly any cartoons.
    assert evening_thriller >= 4.0 * morning_thriller


def test_tv_in_the_evening(con):
    overall = _value(con, "select avg((device = 'tv')::int) from watches")
    evening = _value(
        con,
        "select avg((device = 'tv')::int) from watches where hour between 19 and 23",
    )

    assert evening >= overall + 0.1


def test_mobile_during_commute(con):
    overall = _value(con, "select avg((device = 'mobile')::int) from watches")
    commute = _value(
        con,
        """
        select avg((device = 'mobile')::int)
        from watches
        where weekday <= 5 and hour in (7, 8)
        """,
    )

    assert commute >= 1.5 * overall


def test_popularity_skewed(con):
    top_share = _value(
        con,
        """
        with counts as (
            select item_id, count(*) as interaction_count
            from interactions
            group by item_id
        ),

        ranked as (
            select interaction_count,
                   row_number() over (order by interaction_count desc) as rank
            from counts
        )

        select sum(interaction_count) filter (
                   where rank <= (select count(*) from items) / 10
               ) / sum(interaction_count)
        from ranked
        """,
    )

    assert top_share >= 0.35


def test_franchise_parts_in_order(con):
    in_order, pair_count = _row(
        con,
        """
        with parts as (
            select c.item_id,
                   it.franchise,
                   regexp_extract(it.title, ' Part (\\d)$', 1)::int as part
            from canonical as c
            join items as it on it.item_id = c.canonical_id
            where it.franchise is not null
        ),

        first_watch as (
            select w.user_id, p.franchise, p.part, min(w.timestamp) as watched_at
            from interactions as w
            join parts as p using (item_id)
            group by all
        )

        select avg((one.watched_at < two.watched_at)::int), count(*)
        from first_watch as one
        join first_watch as two
            on two.user_id = one.user_id
            and two.franchise = one.franchise
            and one.part = 1
            and two.part = 2
        """,
    )

    assert pair_count >= 300
    assert in_order >= 0.8


def test_christmas_watched_in_december(con):
    december, autumn = _row(
        con,
        """
        select
            avg(christmas::int) filter (where month(timestamp) = 12),
            avg(christmas::int) filter (where month(timestamp) < 12)
        from watches
        """,
    )

    assert december >= 4.0 * autumn


def test_children_watch_cartoons(con):
    children, adults = _row(
        con,
        """
        select
            avg(list_contains(w.genres, 'Animation')::int) filter (where u.age < 16),
            avg(list_contains(w.genres, 'Animation')::int) filter (where u.age >= 16)
        from watches as w
        join users as u using (user_id)
        anti join shared_profiles as s using (user_id)
        """,
    )

    assert children >= 2.0 * adults


def test_users_favour_few_genres(con):
    # Each user's most watched first genre, against the most common one overall.
    own_favourite, catalogue_favourite = _row(
        con,
        """
        with genre_watches as (
            select user_id, genres[1] as genre, count(*) as watch_count
            from watches
            group by all
        ),

        per_user as (
            select user_id, max(watch_count) / sum(watch_count) as favourite_share
            from genre_watches
            group by user_id
            having sum(watch_count) >= 20
        ),

        overall as (
            select max(watch_count) / sum(watch_count) as favourite_share
            from (select genre, sum(watch_count) as watch_count
                  from genre_watches group by genre)
        )

        select
            (select avg(favourite_share) from per_user),
            (select favourite_share from overall)
        """,
    )

    assert own_favourite >= 1.5 * catalogue_favourite
