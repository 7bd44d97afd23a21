"""`sqlrec sql` on a demo store: queries, the prompt, macros and serving functions."""

from __future__ import annotations

import json

from cli import sqlrec
from engine.training import DEFAULT_MODELS


def _sql(runner, store, *arguments, **options):
    return runner.invoke(sqlrec, ["--store", str(store), "sql", *arguments], **options)


def test_sql_command_runs_macro(runner, demo_store):
    result = _sql(
        runner,
        demo_store,
        "--format",
        "csv",
        "select model from coverage('recommendations', 'items') order by model",
    )

    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["model", *sorted(DEFAULT_MODELS)]


def test_sql_command_runs_udf(runner, demo_store):
    result = _sql(
        runner,
        demo_store,
        "--format",
        "json",
        "select len(recommend(1, 5)) as item_count",
    )

    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"item_count": 5}]


def test_sql_command_reads_item_vectors(runner, demo_store):
    result = _sql(
        runner, demo_store, "--format", "csv", "select count(*) as n from item_vectors"
    )

    assert result.stdout.splitlines() == ["n", "300"]


def test_sql_prompt_runs_macros_from_input(runner, demo_store):
    script = (
        "select count(*) as n\n"
        "from diversify('recommendations', 'items', k := 3)\n"
        "where model = 'popular';\n"
        ".quit\n"
        "select 'after quit' as ignored;\n"
    )

    result = _sql(runner, demo_store, "--format", "csv", input=script)

    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["n", "450"]


def test_sql_prompt_continues_after_error(runner, demo_store):
    script = (
        "select * from diversify('recommendations', 'items', key := 'studio');\n"
        "select 1 as a;\n"
    )

    result = _sql(runner, demo_store, "--format", "csv", input=script)

    # Piped input: the failure still sets the exit status after the rest runs.
    assert result.exit_code == 1
    assert "error: query failed:" in result.stderr
    assert "diversify: invalid key: 'studio'" in result.stderr
    assert result.stdout.splitlines() == ["a", "1"]


def test_sql_prompt_runs_last_statement_without_semicolon(runner, demo_store):
    result = _sql(
        runner, demo_store, "--format", "csv", input="select 1 as a;\nselect 2 as b"
    )

    assert result.stdout.splitlines() == ["a", "1", "b", "2"]


def test_sql_prompt_table_format(runner, demo_store):
    result = _sql(runner, demo_store, input="select 42 as answer;\n")

    assert result.stdout.splitlines() == ["answer", "------", "42", "(1 row)"]
