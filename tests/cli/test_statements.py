import pytest

from cli._statements import scan

COMPLETE = [
    "select 1;",
    "select 1; -- trailing comment",
    "select 1; /* trailing comment */",
    "select 'a;\nb';",
    "select 'it''s';",
    "select E'a\\';';",
    'select 1 as "x;y";',
    "select $$a;$$;",
    "select $tag$a$$;$tag$;",
    "/* a /* nested; */ b */ select 1;",
    "select 1;\n\n",
]

INCOMPLETE = [
    "select 1",
    "select 'a;",
    "select 'it''s;",
    "select E'a\\';",
    'select 1 as "x;',
    "select $$a;",
    "select 1 /* ; */",
    "/* a /* nested */ still open; ",
    "select 1 -- ;",
    "select 1; select 2",
]

EMPTY = ["", "   ", "\n\n", "-- comment", "/* comment */", "-- a\n  -- b\n"]


@pytest.mark.parametrize("text", COMPLETE)
def test_scan_complete_statement(text):
    assert scan(text).complete


@pytest.mark.parametrize("text", INCOMPLETE)
def test_scan_incomplete_statement(text):
    assert not scan(text).complete


@pytest.mark.parametrize("text", EMPTY)
def test_scan_whitespace_and_comments_empty(text):
    assert scan(text).empty


@pytest.mark.parametrize("text", ["select 1", "'open", "/* open"])
def test_scan_code_not_empty(text):
    assert not scan(text).empty
