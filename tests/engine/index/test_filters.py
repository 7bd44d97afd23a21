import pyarrow as pa
import pytest

from engine.index import Filter, compile_filters

SCHEMA = pa.schema(
    [
        ("release_date", pa.date32()),
        ("item_id", pa.int64()),
        ("title", pa.string()),
        ("genres", pa.list_(pa.string())),
        ("year", pa.int32()),
        ("rating", pa.float64()),
        ("christmas", pa.bool_()),
    ]
)


def test_filter_string_is_quoted():
    where = compile_filters([Filter("title", "=", "it's")], SCHEMA)

    assert where == "`title` = 'it''s'"


def test_filter_injection_stays_literal():
    where = compile_filters([Filter("title", "=", "x' OR 1=1 --")], SCHEMA)

    assert where == "`title` = 'x'' OR 1=1 --'"


def test_filter_list_any_and_all():
    any_where = compile_filters([Filter("genres", "any", ["Horror", "Comedy"])], SCHEMA)
    all_where = compile_filters([Filter("genres", "all", ["Horror"])], SCHEMA)

    assert any_where == "array_has_any(`genres`, ['Horror', 'Comedy'])"
    assert all_where == "array_has_all(`genres`, ['Horror'])"


def test_filter_conditions_join_with_and():
    where = compile_filters(
        [Filter("year", ">=", "1990"), Filter("christmas", "=", "true")], SCHEMA
    )

    assert where == "`year` >= 1990 AND `christmas` = true"


def test_filter_none_when_empty():
    assert compile_filters([], SCHEMA) is None


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (Filter("nope", "=", 1), "unknown filter column: 'nope'"),
        (Filter("year; drop", "=", 1), "invalid filter column"),
        (Filter("vector", "=", 1), "unknown filter column"),
        (Filter("year", "=", "199x"), "invalid filter value for year"),
        (Filter("year", "=", 19.5), "invalid filter value for year"),
        (Filter("year", "=", True), "invalid filter value for year"),
        (Filter("rating", "<", "nan"), "invalid filter value for rating"),
        (Filter("christmas", "=", "maybe"), "invalid filter value for christmas"),
        (Filter("genres", "=", "Horror"), "invalid operator '=' for list column"),
        (Filter("year", "any", [1990]), r"invalid operator ~A\|B \('any'\) for column year"),
        (Filter("title", "=", 5), "invalid filter value for title"),
        (Filter("genres", "any", []), "empty value list"),
        (Filter("year", "<", 99999999999), "from -2147483648 to 2147483647"),
        (Filter("year", ">", "-2147483649"), "the range of its type int32"),
        (Filter("item_id", "<", 2**70), "from -9223372036854775808 to 9223372036854775807"),
        (Filter("item_id", "in", [1, 2**63]), "invalid filter value for item_id: 9223372036854775808"),
        (Filter("item_id", "=", float("inf")), "invalid filter value for item_id: inf"),
        (Filter("rating", "<", "1e400"), "invalid filter value for rating"),
    ],
)
def test_filter_rejects_bad_input(flt, message):
    with pytest.raises(ValueError, match=message):
        compile_filters([flt], SCHEMA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year>=1990", Filter("year", ">=", "1990")),
        ("year<2000", Filter("year", "<", "2000")),
        ("christmas=true", Filter("christmas", "=", "true")),
        ("title!=Heat", Filter("title", "!=", "Heat")),
        ("genres~Horror", Filter("genres", "any", ["Horror"])),
        ("genres~Horror|Comedy", Filter("genres", "any", ["Horror", "Comedy"])),
        ("channel=C1|C2", Filter("channel", "in", ["C1", "C2"])),
        ("genres~Horror&Comedy", Filter("genres", "all", ["Horror", "Comedy"])),
        ("channel!=Blaze|Heartline", Filter("channel", "not in", ["Blaze", "Heartline"])),
        ("year!=2000|2001", Filter("year", "not in", ["2000", "2001"])),
        ("title=a!=b", Filter("title", "=", "a!=b")),
        ("title!=a=b", Filter("title", "!=", "a=b")),
        ("year<=1990>x", Filter("year", "<=", "1990>x")),
        ("channel = Blaze", Filter("channel", "=", "Blaze")),
        (" genres ~ Comedy | Horror ", Filter("genres", "any", ["Comedy", "Horror"])),
        ("genres~Comedy & Horror", Filter("genres", "all", ["Comedy", "Horror"])),
        ("channel= C1 |C2 ", Filter("channel", "in", ["C1", "C2"])),
    ],
)
def test_filter_parse(text, expected):
    assert Filter.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year<2000|2010", "several values .* not with <"),
        ("year>=1990|2000", "several values .* not with >="),
        ("genres~A|B&C", "not both"),
        ("genres~A&B|C", "not both"),
        ("genres~A||B", "a value is empty"),
        ("genres~A|", "a value is empty"),
        ("channel=C1||C2", "a value is empty"),
        ("year>=", "a value is empty"),
        ("year>= ", "a value is empty"),
        ("=1990", "expected COLUMN OP VALUE"),
        (" >=1990", "expected COLUMN OP VALUE"),
    ],
)
def test_filter_parse_rejects_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        Filter.parse(text)


def test_filter_not_in_compiles():
    where = compile_filters([Filter.parse("year!=2000|2001")], SCHEMA)

    assert where == "`year` NOT IN (2000, 2001)"


def test_filter_parse_rejects_text_without_operator():
    with pytest.raises(ValueError, match="invalid filter: 'horror'"):
        Filter.parse("horror")


def test_filter_date_literal():
    where = compile_filters([Filter.parse("release_date>=1998-01-31")], SCHEMA)

    assert where == "`release_date` >= date '1998-01-31'"


def test_filter_bad_date_names_format():
    with pytest.raises(ValueError, match="expected a date such as"):
        compile_filters([Filter.parse("release_date>=1998-13-01")], SCHEMA)


def test_filter_parse_rejects_non_text():
    with pytest.raises(TypeError, match="expected a str"):
        Filter.parse(1990)


def test_filter_integer_range_limits_pass():
    where = compile_filters([Filter("year", ">=", -(2**31)), Filter("year", "<=", 2**31 - 1)], SCHEMA)

    assert where == "`year` >= -2147483648 AND `year` <= 2147483647"
