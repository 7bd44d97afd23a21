"""The built-in demo catalogue: invented items, users and interactions.

``sqlrec demo`` feeds these tables to the ingest stage and runs the whole offline
build on them, so the engine can be tried without downloading any data. Nothing
here is read from elsewhere: titles, names and channels come from word lists of
this package, and every table is drawn from one seeded random generator.
"""

from engine.demo._generate import DemoCatalog, generate_demo, write_demo_files

__all__ = ["DemoCatalog", "generate_demo", "write_demo_files"]
