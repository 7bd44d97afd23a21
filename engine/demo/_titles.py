"""Invented titles and people names, built from the word lists of the vocabulary."""

from __future__ import annotations

import numpy as np

from engine.demo import _vocabulary as vocab

# Redraw rounds before giving up on unique titles. Each round redraws only repeats.
_MAX_ROUNDS = 50


def draw_titles(
    rng: np.random.Generator, primary: np.ndarray, christmas: np.ndarray
) -> list[str]:
    """Draw one unique title per unit, flavoured by its first genre.

    Raises
    ------
    ValueError
        If the word lists cannot give that many distinct titles.
    """
    titles = _fill_titles(rng, primary, christmas)
    for _ in range(_MAX_ROUNDS):
        repeats = _repeated_positions(titles)
        if len(repeats) == 0:
            return titles
        for position, title in zip(
            repeats, _fill_titles(rng, primary[repeats], christmas[repeats])
        ):
            titles[position] = title
    raise ValueError(
        f"invalid item_count: about {len(titles)} titles requested, more than the "
        "demo word lists give distinct titles for; use a smaller item_count"
    )


def draw_actor_names(rng: np.random.Generator, count: int) -> list[str]:
    """Draw ``count`` distinct names such as "Mara Velberg" from syllables."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        for name in _people_names(rng, 2 * count):
            if name not in seen:
                seen.add(name)
                names.append(name)
    return names[:count]


def _fill_titles(
    rng: np.random.Generator, primary: np.ndarray, christmas: np.ndarray
) -> list[str]:
    count = len(primary)
    templates = rng.integers(0, len(vocab.TITLE_TEMPLATES), count)
    christmas_templates = rng.integers(0, len(vocab.CHRISTMAS_TEMPLATES), count)
    adjectives = rng.integers(0, len(vocab.ADJECTIVES), count)
    others = rng.integers(0, len(vocab.NOUNS), count)
    names = [name.split()[0] for name in _people_names(rng, count)]

    # Half of the nouns come from the genre's own list.
    genre_nouns = [vocab.GENRE_NOUNS[vocab.GENRES[g]] for g in primary]
    nouns = [
        words[int(u * len(words))]
        if flavour
        else vocab.NOUNS[int(u * len(vocab.NOUNS))]
        for words, flavour, u in zip(
            genre_nouns, rng.random(count) < 0.5, rng.random(count)
        )
    ]

    titles = []
    for row in range(count):
        if christmas[row]:
            template = vocab.CHRISTMAS_TEMPLATES[christmas_templates[row]]
        else:
            template = vocab.TITLE_TEMPLATES[templates[row]]
        titles.append(
            template.format(
                adj=vocab.ADJECTIVES[adjectives[row]],
                noun=nouns[row],
                other=vocab.NOUNS[others[row]],
                name=names[row],
            )
        )
    return titles


def _people_names(rng: np.random.Generator, count: int) -> list[str]:
    first = rng.integers(0, len(vocab.FIRST_SYLLABLES), count)
    first_end = rng.integers(0, len(vocab.FIRST_ENDINGS), count)
    last = rng.integers(0, len(vocab.LAST_SYLLABLES), count)
    last_end = rng.integers(0, len(vocab.LAST_ENDINGS), count)
    return [
        vocab.FIRST_SYLLABLES[a]
        + vocab.FIRST_ENDINGS[b]
        + " "
        + vocab.LAST_SYLLABLES[c]
        + vocab.LAST_ENDINGS[d]
        for a, b, c, d in zip(first, first_end, last, last_end)
    ]


def _repeated_positions(titles: list[str]) -> np.ndarray:
    """Return the positions of titles that already appeared earlier in the list."""
    _, first = np.unique(np.array(titles, dtype=object), return_index=True)
    repeated = np.ones(len(titles), dtype=bool)
    repeated[first] = False
    return np.flatnonzero(repeated)
