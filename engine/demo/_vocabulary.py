"""Invented names of the demo catalogue: genres, channels, title words, syllables.

Every word list here was written for sqlrec. No title, name or channel refers to a
real film, person or broadcaster.
"""

from __future__ import annotations

GENRES = (
    "Action",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Horror",
    "Music",
    "Romance",
    "Sci-Fi",
    "Thriller",
)
GENRE_INDEX = {genre: index for index, genre in enumerate(GENRES)}

#: Share of non-Christmas items whose first genre is this one.
PRIMARY_GENRE_SHARE = {
    "Action": 0.10,
    "Animation": 0.10,
    "Comedy": 0.14,
    "Crime": 0.05,
    "Documentary": 0.07,
    "Drama": 0.16,
    "Family": 0.06,
    "Horror": 0.07,
    "Music": 0.03,
    "Romance": 0.07,
    "Sci-Fi": 0.06,
    "Thriller": 0.09,
}

#: Genres that may follow the first genre of an item, most likely first.
COMPANION_GENRES = {
    "Action": ("Sci-Fi", "Thriller", "Crime", "Comedy"),
    "Animation": ("Family", "Comedy", "Action", "Music"),
    "Comedy": ("Romance", "Family", "Drama", "Action"),
    "Crime": ("Thriller", "Drama", "Action"),
    "Documentary": ("Music", "Crime", "Drama"),
    "Drama": ("Romance", "Crime", "Thriller", "Music"),
    "Family": ("Animation", "Comedy", "Music"),
    "Horror": ("Thriller", "Sci-Fi", "Comedy"),
    "Music": ("Documentary", "Drama", "Romance"),
    "Romance": ("Comedy", "Drama", "Music"),
    "Sci-Fi": ("Action", "Thriller", "Horror"),
    "Thriller": ("Crime", "Horror", "Action", "Drama"),
}

#: First genre of Christmas items and its share among them.
CHRISTMAS_GENRE_SHARE = {
    "Family": 0.35,
    "Comedy": 0.25,
    "Romance": 0.25,
    "Animation": 0.15,
}

# Formats decide the running time: short (cartoons, clips), episode, film.
FORMATS = ("short", "episode", "film")

#: Probability of each format, in FORMATS order, given the first genre.
FORMAT_SHARE = {
    "Action": (0.0, 0.15, 0.85),
    "Animation": (0.70, 0.15, 0.15),
    "Comedy": (0.0, 0.45, 0.55),
    "Crime": (0.0, 0.40, 0.60),
    "Documentary": (0.05, 0.45, 0.50),
    "Drama": (0.0, 0.35, 0.65),
    "Family": (0.10, 0.25, 0.65),
    "Horror": (0.0, 0.15, 0.85),
    "Music": (0.30, 0.30, 0.40),
    "Romance": (0.0, 0.20, 0.80),
    "Sci-Fi": (0.0, 0.30, 0.70),
    "Thriller": (0.0, 0.25, 0.75),
}

#: Mean running time in minutes of an episode and of a film, given the first genre.
EPISODE_MINUTES = {"Animation": 24, "Comedy": 26, "Family": 28}
EPISODE_MINUTES_DEFAULT = 48
FILM_MINUTES = {
    "Action": 115,
    "Animation": 88,
    "Comedy": 98,
    "Crime": 112,
    "Documentary": 92,
    "Drama": 118,
    "Family": 95,
    "Horror": 95,
    "Music": 100,
    "Romance": 105,
    "Sci-Fi": 120,
    "Thriller": 108,
}

#: TV channels and the genres each one mostly broadcasts.
CHANNEL_GENRES = {
    "Pebble Kids": ("Animation", "Family"),
    "Nightshade": ("Horror", "Thriller"),
    "Cinema Nord": ("Drama", "Romance"),
    "Blaze": ("Action", "Sci-Fi"),
    "Giggle": ("Comedy",),
    "Open Lens": ("Documentary",),
    "Tempo": ("Music",),
    "Case File": ("Crime", "Thriller"),
    "Heartline": ("Romance", "Drama", "Family"),
    "Channel Nine": (),
}
CHANNELS = tuple(CHANNEL_GENRES)

# fmt: off
ADJECTIVES = (
    "Silent", "Broken", "Golden", "Hidden", "Last", "Lost", "Crimson", "Distant",
    "Electric", "Frozen", "Gentle", "Hollow", "Iron", "Little", "Midnight", "Northern",
    "Paper", "Quiet", "Restless", "Secret", "Silver", "Strange", "Velvet", "Wild",
    "Burning", "Endless", "Fading", "Glass", "Lucky", "Patient", "Rising", "Scarlet",
    "Tangled", "Wandering", "Bitter", "Bright", "Copper", "Curious", "Salt", "Stone",
)

NOUNS = (
    "Harbor", "River", "Garden", "Letter", "Window", "Island", "Station", "Bridge",
    "Summer", "Promise", "Mirror", "Lantern", "Road", "Kingdom", "Signal", "Orchard",
    "Tower", "Valley", "Compass", "Machine", "Voyage", "Circle", "Shore", "Echo",
    "Winter", "Anchor", "Horizon", "Canyon", "Meadow", "Engine",
)

#: Nouns that give titles of one genre their flavour.
GENRE_NOUNS = {
    "Action": ("Strike", "Fury", "Protocol", "Pursuit", "Outpost", "Vendetta", "Siege"),
    "Animation": ("Bunny", "Rocket", "Pickle", "Dragon", "Puddle", "Robot", "Penguin"),
    "Comedy": ("Mix-Up", "Party", "Neighbors", "Wedding", "Roommate", "Holiday"),
    "Crime": ("Heist", "Alibi", "Verdict", "Witness", "Ledger", "Informant", "Motive"),
    "Documentary": ("Coral", "Glacier", "Migration", "Factory", "Desert", "Forest"),
    "Drama": ("Inheritance", "Daughter", "Farewell", "Homecoming", "Confession"),
    "Family": ("Treehouse", "Puppy", "Picnic", "Adventure", "Lighthouse", "Pony"),
    "Horror": ("Crypt", "Shadow", "Whisper", "Curse", "Cellar", "Hunger", "Scarecrow"),
    "Music": ("Chorus", "Rhythm", "Ballad", "Encore", "Melody", "Stage", "Anthem"),
    "Romance": ("Heart", "Kiss", "Waltz", "Sweetheart", "Postcard", "Moonlight"),
    "Sci-Fi": ("Orbit", "Nebula", "Android", "Colony", "Quasar", "Starship", "Vector"),
    "Thriller": ("Trap", "Target", "Stranger", "Deadline", "Cipher", "Hostage"),
}
# fmt: on

#: Title patterns: {adj} is an adjective, {noun} a noun (of the genre half the time),
#: {other} a general noun and {name} an invented first name.
TITLE_TEMPLATES = (
    "The {adj} {noun}",
    "{adj} {noun}",
    "The {noun}",
    "{noun} of the {adj} {other}",
    "{name}'s {noun}",
    "Return of the {noun}",
    "Beyond the {noun}",
    "A {noun} for {name}",
)

#: Title patterns of Christmas items, the only titles with Christmas words.
CHRISTMAS_TEMPLATES = (
    "A {adj} Christmas",
    "Christmas at the {noun}",
    "{name}'s Christmas Wish",
    "The {noun} That Saved Christmas",
    "December in the {noun}",
    "Snow over the {noun}",
    "Twelve Nights at the {noun}",
    "The Last Sleigh to {name}",
    "Home for Christmas",
    "{name}'s December",
)

# Syllables of invented people names, for actors and title characters.
# fmt: off
FIRST_SYLLABLES = (
    "Ma", "Lo", "Ri", "Ka", "Ne", "Sa", "To", "Vi", "El", "Ja", "Mi", "Da", "Ro", "Li",
    "An", "Be", "Co", "Fe", "Ha", "Ju", "Le", "Na", "Pa", "Te",
)
FIRST_ENDINGS = (
    "ra", "na", "la", "ris", "an", "ko", "ly", "mo", "ta", "ne", "vin", "sa",
)
LAST_SYLLABLES = (
    "Vel", "Mor", "Kas", "Bran", "Thal", "Dor", "Fen", "Gar", "Hol", "Lind", "Mar",
    "Quin", "Ros", "Stav", "Tor", "Wen", "Ald", "Bel", "Cor", "Dun",
)
LAST_ENDINGS = (
    "dor", "ani", "berg", "mont", "ova", "ley", "ford", "ino", "wick", "stad", "ez",
    "ton", "ski", "ard",
)
# fmt: on
