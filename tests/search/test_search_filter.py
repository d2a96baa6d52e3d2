"""Parser tests: every field and operator, quoting, whitespace, and errors with positions."""

import re

import pytest

from runtime.errors import InvalidParameter
from runtime.search.filter import (
    Comparison,
    OrderKey,
    complete_experiment_order,
    complete_run_order,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)


def one(text):
    (comparison,) = parse_run_filter(text)
    return comparison


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
def test_empty_filters_parse_to_nothing(text):
    assert parse_run_filter(text) == ()
    assert parse_experiment_filter(text) == ()


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_metric_comparisons_take_numbers(op):
    assert one(f"metrics.acc {op} 0.9") == Comparison("metric", "acc", op, 0.9)


@pytest.mark.parametrize(
    "literal, value",
    [("1", 1.0), ("-1", -1.0), ("+2", 2.0), ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("1e3", 1000.0),
     ("2.5E-2", 0.025), ("-1e+2", -100.0), ("7.", 7.0)],
)
def test_number_literals(literal, value):
    assert one(f"metrics.m > {literal}").value == value
    assert isinstance(one(f"metrics.m > {literal}").value, float)


@pytest.mark.parametrize("prefix", ["metrics", "metric"])
def test_metric_prefixes(prefix):
    assert one(f"{prefix}.loss < 3") == Comparison("metric", "loss", "<", 3.0)


@pytest.mark.parametrize("prefix, entity", [("params", "param"), ("param", "param"), ("parameter", "param"),
                                            ("parameters", "param"), ("tags", "tag"), ("tag", "tag")])
@pytest.mark.parametrize("op", ["=", "!=", "LIKE", "ILIKE"])
def test_param_and_tag_string_operators(prefix, entity, op):
    assert one(f"{prefix}.lr {op} '0.01'") == Comparison(entity, "lr", op, "0.01")


@pytest.mark.parametrize("op", ["IN", "NOT IN"])
def test_param_and_tag_lists(op):
    assert one(f"params.opt {op} ('adam', 'sgd')") == Comparison("param", "opt", op, ("adam", "sgd"))
    assert one(f"tags.t {op} ('x')") == Comparison("tag", "t", op, ("x",))


@pytest.mark.parametrize("text, op", [("params.a IS NULL", "IS NULL"), ("tags.a is not null", "IS NOT NULL"),
                                      ("params.a Is  Not\tNull", "IS NOT NULL")])
def test_null_checks_for_params_and_tags(text, op):
    comparison = one(text)
    assert (comparison.op, comparison.value) == (op, None)


@pytest.mark.parametrize("name", ["run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage"])
@pytest.mark.parametrize("prefix", ["", "attributes.", "attribute.", "attr.", "run."])
def test_string_attributes(name, prefix):
    assert one(f"{prefix}{name} = 'x'") == Comparison("attribute", name, "=", "x")
    assert one(f"{prefix}{name} LIKE 'x%'").op == "LIKE"
    assert one(f"{prefix}{name} IN ('a','b')").value == ("a", "b")
    assert one(f"{prefix}{name} NOT IN ('a')").op == "NOT IN"


@pytest.mark.parametrize("written, canonical", [("start_time", "start_time"), ("end_time", "end_time"),
                                                ("created", "start_time"), ("Created", "start_time"),
                                                ("attributes.created", "start_time")])
@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_numeric_attributes(written, canonical, op):
    assert one(f"{written} {op} 1700000000000") == Comparison("attribute", canonical, op, 1700000000000.0)


@pytest.mark.parametrize("written", ["`Run name`", "`Run Name`", "`run name`", "attributes.`Run name`"])
def test_run_name_aliases(written):
    assert one(f"{written} = 'r'") == Comparison("attribute", "run_name", "=", "r")


@pytest.mark.parametrize("prefix", ["datasets", "dataset"])
@pytest.mark.parametrize("key", ["name", "digest", "context"])
def test_dataset_fields(prefix, key):
    assert one(f"{prefix}.{key} = 'v'") == Comparison("dataset", key, "=", "v")
    assert one(f"{prefix}.{key} IN ('a', 'b')") == Comparison("dataset", key, "IN", ("a", "b"))
    assert one(f"{prefix}.{key} ILIKE '%v'").op == "ILIKE"


@pytest.mark.parametrize(
    "text, key",
    [
        ("tags.`my key` = 'x'", "my key"),
        ('tags."my key" = \'x\'', "my key"),
        ("metrics.`my.key-1` = 1", "my.key-1"),
        ("tags.`a/b c:d` = 'x'", "a/b c:d"),
        ("tags.mlflow.runName = 'x'", "mlflow.runName"),
        ("tags.mlflow.source.git.commit = 'x'", "mlflow.source.git.commit"),
        ("`tags`.x = 'x'", "x"),
        ("`tags`.`x` = 'x'", "x"),
        ("params.a-b = 'x'", "a-b"),
        ("params.a/b = 'x'", "a/b"),
    ],
)
def test_key_quoting(text, key):
    assert one(text).key == key


@pytest.mark.parametrize(
    "literal, value",
    [
        ("'plain'", "plain"),
        ('"double"', "double"),
        ("'it''s'", "it's"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        ('"say ""hi"""', 'say "hi"'),
        ("'has \"double\" inside'", 'has "double" inside'),
        (r"'back\\slash'", "back\\slash"),
        (r"'50\%'", "50\\%"),  # unknown escapes stay, so LIKE can escape wildcards
        ("''", ""),
        ("'  spaced  '", "  spaced  "),
        ("'and or = >'", "and or = >"),
        ("'ünïcødé'", "ünïcødé"),
    ],
)
def test_string_literals(literal, value):
    assert one(f"params.p = {literal}").value == value


@pytest.mark.parametrize(
    "text",
    [
        "metrics.acc>0.9 and params.lr='0.01'",
        "  metrics.acc   >   0.9   AND   params.lr   =   '0.01'  ",
        "metrics.acc > 0.9\nand\tparams.lr = '0.01'",
        "metrics.acc > 0.9 And params.lr = \"0.01\"",
    ],
)
def test_whitespace_and_keyword_case(text):
    assert parse_run_filter(text) == (
        Comparison("metric", "acc", ">", 0.9),
        Comparison("param", "lr", "=", "0.01"),
    )


def test_operator_keywords_are_case_insensitive():
    assert one("params.a like 'x'").op == "LIKE"
    assert one("params.a iLike 'x'").op == "ILIKE"
    assert one("run_id in ('a')").op == "IN"
    assert one("run_id not IN ('a')").op == "NOT IN"


def test_list_spacing_and_quotes():
    assert one("run_id IN ( 'a' ,\"b\",'c' )").value == ("a", "b", "c")


def test_long_conjunction_keeps_order():
    text = " and ".join(f"metrics.m{i} > {i}" for i in range(20))
    assert [c.key for c in parse_run_filter(text)] == [f"m{i}" for i in range(20)]


@pytest.mark.parametrize(
    "text",
    [
        "name = 'exp'",
        "attribute.name LIKE 'e%'",
        "attributes.name ILIKE '%E'",
        "name IN ('a', 'b')",
        "experiment_id = '3'",
        "experiment_id IN ('1', '2')",
        "experiment_id NOT IN ('1')",
        "creation_time > 5",
        "last_update_time <= 1e12",
        "tags.team = 'x'",
        "tag.`my key` LIKE 'x%'",
        "tags.t IS NULL",
        "tags.t IS NOT NULL",
    ],
)
def test_experiment_filters(text):
    (comparison,) = parse_experiment_filter(text)
    assert comparison.entity in ("attribute", "tag")


def test_experiment_filter_values():
    assert parse_experiment_filter("name = 'a' and creation_time >= 10 and tags.k != 'v'") == (
        Comparison("attribute", "name", "=", "a"),
        Comparison("attribute", "creation_time", ">=", 10.0),
        Comparison("tag", "k", "!=", "v"),
    )


def assert_error(parse, text, position, *fragments):
    with pytest.raises(InvalidParameter) as caught:
        parse(text)
    message = caught.value.message
    assert f"at position {position}:" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.mark.parametrize(
    "text, position, fragments",
    [
        ("metrics.acc > 'x'", 15, ["expected a number for metric 'acc'"]),
        ("metrics.acc LIKE '1'", 13, ["LIKE is not supported for metric 'acc'"]),
        ("metrics.acc IN ('1')", 13, ["IN is not supported"]),
        ("metrics.acc IS NULL", 13, ["IS NULL is not supported"]),
        ("params.a = 1", 12, ["expected a quoted string for param 'a'"]),
        ("params.a > 'x'", 10, ["> is not supported for param 'a'", "LIKE"]),
        ("tags.a = b", 10, ["expected a quoted string for tag 'a'"]),
        ("status = FINISHED", 10, ["expected a quoted string for attribute 'status'"]),
        ("status > 'A'", 8, ["> is not supported for attribute 'status'"]),
        ("status IS NULL", 8, ["IS NULL is not supported for attribute 'status'"]),
        ("start_time = '1'", 14, ["expected a number for attribute 'start_time'"]),
        ("start_time LIKE '1'", 12, ["LIKE is not supported"]),
        ("end_time IN ('1')", 10, ["IN is not supported"]),
        ("foo = 'x'", 1, ["unknown run attribute 'foo'", "run_name"]),
        ("attributes.foo = 'x'", 12, ["unknown run attribute 'foo'"]),
        ("experiment_id = '0'", 1, ["unknown run attribute 'experiment_id'"]),
        ("bogus.x = 'a'", 1, ["unknown entity 'bogus'"]),
        ("datasets.foo = 'x'", 10, ["unknown dataset key 'foo'"]),
        ("datasets.name > 'x'", 15, ["> is not supported for dataset 'name'"]),
        ("datasets.name IS NULL", 15, ["IS NULL is not supported"]),
        ("metrics.acc > 1 or metrics.b > 2", 17, ["OR is not supported"]),
        ("metrics.acc > 1 OR metrics.b > 2", 17, ["OR is not supported"]),
        ("metrics.acc > 1 and", 20, ["expected an identifier", "found the end of the text"]),
        ("metrics.acc > 1 and and metrics.b > 1", 21, ["expected an identifier", "found 'and'"]),
        ("metrics.acc", 12, ["expected a comparison operator"]),
        ("metrics.acc >", 14, ["expected a number", "end of the text"]),
        ("params.a == 'b'", 10, ["'==' is not an operator: use '='"]),
        ("metrics.a <> 1", 11, ["'<>' is not an operator: use '!='"]),
        ("metrics.a ! 1", 11, ["unexpected character '!'"]),
        ("metrics.a => 1", 12, ["expected a number", "'>'"]),
        ("tags.a = 'b' tags.c = 'd'", 14, ["expected AND or the end of the filter", "'tags.c'"]),
        ("metrics.a > 1 and (metrics.b > 2)", 19, ["expected an identifier", "'('"]),
        ("run_id IN 'a'", 11, ["expected a parenthesised list"]),
        ("run_id IN ()", 12, ["at least one quoted string"]),
        ("run_id IN (1, 2)", 12, ["expected a quoted string in the list, found '1'"]),
        ("run_id IN ('a' 'b')", 16, ["expected ',' or ')'"]),
        ("run_id IN ('a',)", 16, ["expected a quoted string in the list, found ')'"]),
        ("run_id IN ('a'", 15, ["expected ',' or ')'", "end of the text"]),
        ("run_id NOT LIKE 'a'", 12, ["expected IN after NOT"]),
        ("params.a IS 'x'", 13, ["expected NULL"]),
        ("params.a = 'unterminated", 12, ["unterminated quoted text"]),
        ('params.a = "unterminated', 12, ["unterminated quoted text"]),
        ("tags.`open = 'x'", 6, ["unterminated quoted text"]),
        ("metrics. > 1", 9, ["expected a key after 'metrics.'"]),
        ("tags.`` = 'x'", 6, ["expected a key after 'tags.'"]),
        ("tags.`a`b = 'x'", 9, ["unexpected character 'b'"]),
        ("metrics.a > 1x", 14, ["unexpected character 'x' after the number '1'"]),
        ("metrics.a > 1.2.3", 16, ["unexpected character '.'"]),
        ("metrics.a > 1 ; metrics.b > 1", 15, ["unexpected character ';'"]),
        ("'x' = params.a", 1, ["expected an identifier"]),
        ("= 1", 1, ["expected an identifier"]),
        ("metrics > 1", 1, ["unknown run attribute 'metrics'", "metrics.<key>"]),
    ],
)
def test_run_filter_errors_name_position(text, position, fragments):
    message = assert_error(parse_run_filter, text, position, *fragments)
    assert repr(text) in message  # the whole filter is quoted for context


@pytest.mark.parametrize(
    "text, position, fragments",
    [
        ("metrics.a > 1", 1, ["metrics.<key> cannot be used to filter experiments"]),
        ("params.a = 'x'", 1, ["cannot be used to filter experiments"]),
        ("datasets.name = 'x'", 1, ["cannot be used to filter experiments"]),
        ("name = 1", 8, ["expected a quoted string for attribute 'name'"]),
        ("name IS NULL", 6, ["IS NULL is not supported for attribute 'name'"]),
        ("creation_time = '5'", 17, ["expected a number for attribute 'creation_time'"]),
        ("experiment_id LIKE '1'", 15, ["LIKE is not supported for attribute 'experiment_id'"]),
        ("run_name = 'x'", 1, ["unknown experiment attribute 'run_name'"]),
        ("foo = 'x'", 1, ["unknown experiment attribute 'foo'"]),
    ],
)
def test_experiment_filter_errors(text, position, fragments):
    assert_error(parse_experiment_filter, text, position, *fragments)


def test_error_is_invalid_parameter_code():
    with pytest.raises(InvalidParameter) as caught:
        parse_run_filter("metrics.a > 'x'")
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


def test_non_string_filter_is_rejected():
    with pytest.raises(InvalidParameter, match="expected a string"):
        parse_run_filter(42)


def test_position_points_into_the_text():
    text = "metrics.acc > 0.5 and params.lr = 0.01"
    message = assert_error(parse_run_filter, text, 35)
    position = int(re.search(r"at position (\d+)", message).group(1))
    assert text[position - 1:].startswith("0.01")


# ---------------------------------------------------------------------------
# order_by


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("metrics.acc DESC", OrderKey("metric", "acc", False)),
        ("metrics.acc desc", OrderKey("metric", "acc", False)),
        ("metric.`my acc` ASC", OrderKey("metric", "my acc", True)),
        ("params.lr", OrderKey("param", "lr", True)),
        ("param.lr asc", OrderKey("param", "lr", True)),
        ("tags.mlflow.runName DESC", OrderKey("tag", "mlflow.runName", False)),
        ("`tags`.`x`", OrderKey("tag", "x", True)),
        ('tags."x y" DESC', OrderKey("tag", "x y", False)),
        ("attributes.start_time ASC", OrderKey("attribute", "start_time", True)),
        ("attribute.end_time", OrderKey("attribute", "end_time", True)),
        ("start_time", OrderKey("attribute", "start_time", True)),
        ("created DESC", OrderKey("attribute", "start_time", False)),
        ("run_name", OrderKey("attribute", "run_name", True)),
        ("`Run name` DESC", OrderKey("attribute", "run_name", False)),
        ("status", OrderKey("attribute", "status", True)),
        ("run_id", OrderKey("attribute", "run_id", True)),
        ("user_id", OrderKey("attribute", "user_id", True)),
        ("artifact_uri", OrderKey("attribute", "artifact_uri", True)),
        ("  metrics.acc   DESC  ", OrderKey("metric", "acc", False)),
    ],
)
def test_run_order_by(clause, expected):
    assert parse_run_order_by([clause]) == (expected,)


def test_run_order_by_keeps_clause_order():
    assert parse_run_order_by(["metrics.a DESC", "params.b", "start_time ASC"]) == (
        OrderKey("metric", "a", False),
        OrderKey("param", "b", True),
        OrderKey("attribute", "start_time", True),
    )


def test_order_by_none_and_empty_list():
    assert parse_run_order_by(None) == ()
    assert parse_run_order_by([]) == ()
    assert parse_experiment_order_by(None) == ()


def test_order_by_accepts_a_single_string():
    assert parse_run_order_by("metrics.a DESC") == (OrderKey("metric", "a", False),)


@pytest.mark.parametrize(
    "clause, position, fragment",
    [
        ("", 1, "empty clause"),
        ("   ", 1, "empty clause"),
        ("metrics.acc DESC ASC", 18, "expected ASC, DESC or the end"),
        ("metrics.acc up", 13, "expected ASC, DESC or the end"),
        ("metrics.acc, params.b", 12, "expected ASC, DESC or the end"),
        ("datasets.name", 1, "cannot be used to order runs"),
        ("name", 1, "unknown run attribute 'name'"),
        ("bogus.x", 1, "unknown entity 'bogus'"),
        ("metrics.", 9, "expected a key"),
        ("DESC", 1, "expected an identifier"),
        ("'metrics.acc'", 1, "expected an identifier"),
    ],
)
def test_run_order_by_errors(clause, position, fragment):
    assert_error(parse_run_order_by, [clause], position, fragment, "order_by clause")


def test_order_by_rejects_duplicates_and_non_strings():
    with pytest.raises(InvalidParameter, match="more than once"):
        parse_run_order_by(["metrics.a", "metric.a DESC"])
    with pytest.raises(InvalidParameter, match="more than once"):
        parse_run_order_by(["created", "start_time DESC"])
    with pytest.raises(InvalidParameter, match="expected a string"):
        parse_run_order_by([3])


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("name", OrderKey("attribute", "name", True)),
        ("name DESC", OrderKey("attribute", "name", False)),
        ("attribute.creation_time asc", OrderKey("attribute", "creation_time", True)),
        ("last_update_time DESC", OrderKey("attribute", "last_update_time", False)),
        ("experiment_id", OrderKey("attribute", "experiment_id", True)),
    ],
)
def test_experiment_order_by(clause, expected):
    assert parse_experiment_order_by([clause]) == (expected,)


@pytest.mark.parametrize("clause, fragment", [("tags.x", "cannot be used to order experiments"),
                                              ("start_time", "unknown experiment attribute"),
                                              ("metrics.a", "cannot be used to order experiments")])
def test_experiment_order_by_errors(clause, fragment):
    assert_error(parse_experiment_order_by, [clause], 1, fragment)


def test_complete_run_order_adds_mlflow_tie_breaks():
    assert complete_run_order(()) == (OrderKey("attribute", "start_time", False), OrderKey("attribute", "run_id", True))
    assert complete_run_order((OrderKey("metric", "a", True),)) == (
        OrderKey("metric", "a", True),
        OrderKey("attribute", "start_time", False),
        OrderKey("attribute", "run_id", True),
    )
    assert complete_run_order((OrderKey("attribute", "start_time", True),)) == (
        OrderKey("attribute", "start_time", True),
        OrderKey("attribute", "run_id", True),
    )


def test_complete_experiment_order():
    assert complete_experiment_order(()) == (
        OrderKey("attribute", "creation_time", False),
        OrderKey("attribute", "experiment_id", True),
    )
    assert complete_experiment_order((OrderKey("attribute", "name", True),)) == (
        OrderKey("attribute", "name", True),
        OrderKey("attribute", "experiment_id", False),
    )
    keys = (OrderKey("attribute", "experiment_id", True),)
    assert complete_experiment_order(keys) == keys
