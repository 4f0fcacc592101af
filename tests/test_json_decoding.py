"""The SDK decodes every body the same with or without ``avala[speedups]``: orjson and the standard library's json,
each run in this same test run, against ``json.loads`` (the reference) over tricky bodies, random documents, every
example of ``openapi.yaml`` and whole responses through the transport (status, headers, charset, size bound)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import orjson  # avala[speedups]: pinned in the test dependency group, so both decoders always run here
import pytest
import yaml

from avala import Client, _json
from avala._operation import Operation, PageOperation
from avala._pagination import CursorPage
from avala.errors import AvalaError

ROOT = Path(__file__).resolve().parents[1]
DECODERS: dict[str, Callable[[bytes], Any]] = {
    "json": _json.stdlib_loads,
    "orjson": _json.make_orjson_loads(orjson),
}


@pytest.fixture(params=list(DECODERS))
def decoder(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each decoder in turn, as the one the SDK uses; the previous one restored after the test."""
    before = _json._decoder
    _json._use(DECODERS[request.param])
    yield str(request.param)
    _json._decoder = before


def exact(value: Any) -> Any:
    """``value`` in a form whose equality is exact: types kept (1 vs 1.0 vs True), floats by repr (-0.0, nan), object
    keys in order."""
    if isinstance(value, dict):
        return ("object", [(key, exact(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [exact(item) for item in value])
    if isinstance(value, float):
        return ("float", repr(value))
    if attrs.has(type(value)):  # a model: every field, exactly
        return (type(value).__name__, [(f.name, exact(getattr(value, f.name))) for f in attrs.fields(type(value))])
    return (type(value).__name__, value)


def chain(value: Any) -> Any:
    """A deeply nested value (``[[[...]]]`` or ``{"a": {"a": ...}}``) as a flat list, with no recursion."""
    shape = []
    while (isinstance(value, list) and len(value) == 1) or (isinstance(value, dict) and list(value) == ["a"]):
        shape.append(type(value).__name__)
        value = value[0] if isinstance(value, list) else value["a"]
    return [*shape, exact(value)]


def outcome(call: Callable[[], Any], form: Callable[[Any], Any] = exact) -> Any:
    """The exact value ``call`` gives (in ``form``), or the class and message of what it raises."""
    try:
        return ("value", form(call()))
    except (ValueError, RecursionError, AvalaError) as error:
        return ("error", type(error).__name__, str(error))


def reference(data: bytes, form: Callable[[Any], Any] = exact) -> Any:
    """What ``json.loads`` gives for ``data``, called at the same stack depth as the SDK's decoder would call it."""

    def through_loads() -> Any:  # the frames of _json.loads and of a decoder
        return json.loads(data)

    return outcome(lambda: through_loads(), form)


TRICKY: dict[str, bytes] = {
    "empty": b"",
    "blank": b" \r\n\t",
    "null": b"null",
    "object": b'{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
    "duplicate keys": b'{"a": 1, "b": 2, "a": 3}',
    "duplicate nested keys": b'{"x": {"k": [1], "k": {"z": 0}}, "x": {"k": 2}}',
    "int64 max": b"9223372036854775807",
    "int64 min": b"-9223372036854775808",
    "uint64 max": b"18446744073709551615",
    "past uint64": b"18446744073709551616",
    "past int64 negative": b"-9223372036854775809",
    "huge int": b"[" + b"9" * 400 + b"]",
    "big ints in an object": b'{"a": 123456789012345678901234567890, "b": -12345678901234567890}',
    "big int after whitespace": b'{"a":\n\t 100000000000000000000 }',
    "big int as a key's value in an array": b"[1, 2, 18446744073709551616]",
    "19 digits": b"[1771928100000000000, -1000000000000000000]",
    "digits in a string": b'{"sig": "00000000000000000000000000000000000000000000000063"}',
    "digits after a colon in a string": b'["a:123456789012345678901"]',
    "NaN": b"NaN",
    "Infinity": b"[Infinity, -Infinity]",
    "nan in an object": b'{"x": NaN}',
    "float overflow": b"1e400",
    "negative float overflow": b"-1e400",
    "float underflow": b"[1e-400, -1e-400]",
    "subnormal": b"4.9406564584124654e-324",
    "negative zero": b"[-0, -0.0, 0e0, -0e-0]",
    "long mantissa": b"0.1000000000000000055511151231257827021181583404541015625",
    "big float with digits": b"123456789012345678901234567890.5",
    "exponent forms": b"[1E2, 1e+2, 1e-2, 1.5E-10]",
    "huge exponent": b"1e99999999999999999999",
    "bad number": b"[1.]",
    "leading zero": b"01",
    "plus sign": b"+1",
    "lone high surrogate": b'"\\ud800"',
    "lone low surrogate": b'"\\udc00x"',
    "surrogate pair": b'"\\ud83d\\ude00"',
    "encoded surrogate": b'"\xed\xa0\x80"',
    "non-utf-8": b'{"a": "\xff"}',
    "latin-1 text": '{"name": "Café"}'.encode("latin-1"),
    "overlong utf-8": b'"\xc0\xaf"',
    "utf-8 bom": b'\xef\xbb\xbf{"a": 1}',
    "utf-16": '{"a": "é"}'.encode("utf-16"),
    "utf-16-le": '{"a": 1}'.encode("utf-16-le"),
    "utf-16-be": '{"a": 1}'.encode("utf-16-be"),
    "utf-32": '{"a": 1}'.encode("utf-32"),
    "nul after a number": b"1\x00",
    "control character in a string": b'"a\x01b"',
    "escapes": b'"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u0000"',
    "bad escape": b'"\\x"',
    "non-ascii": '{"名前": "データ", "emoji": "😀"}'.encode(),
    "trailing comma": b"[1, 2,]",
    "trailing data": b'{"a": 1} {"b": 2}',
    "two numbers": b"1 2",
    "single quotes": b"{'a': 1}",
    "html": b"<html><body>Hello</body></html>",
    "truncated": b'{"uid": 1',
    "closes early": b"1]],[[2",
    "only brackets": b"]]][[[",
    "deep": b"[" * 100_000,
    "deep and closed": b"[" * 2000 + b"]" * 2000,
    "just past orjson": b"[" * 1025 + b"]" * 1025,
}


@pytest.mark.parametrize("data", list(TRICKY.values()), ids=list(TRICKY))
def test_tricky_bodies_decode_as_json_loads_does(decoder: str, data: bytes) -> None:
    assert outcome(lambda: _json.loads(data), chain) == reference(data, chain)


@pytest.mark.parametrize("depth", [*range(0, 1100, 100), *range(940, 1030)])
def test_nesting_decodes_as_json_loads_does_at_every_depth(decoder: str, depth: int) -> None:
    """Around the standard library's limit (on 3.11, the recursion limit less the calling stack) and orjson's (1024)."""
    for data in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        assert outcome(lambda data=data: _json.loads(data), chain) == reference(data, chain)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:  # integers of every size, around the 64-bit bounds most
        bound = rng.choice([2**8, 2**53, 2**63, 2**64, 2**70, 10**30])
        return rng.randrange(-bound, bound) + rng.choice([0, 0, 1, -1])
    if kind == 2:
        return rng.choice([rng.random(), rng.uniform(-1e308, 1e308), rng.random() * 10 ** rng.randrange(-330, 300)])
    if kind == 3:
        return float.fromhex(f"{rng.choice('+-')}0x1.{rng.getrandbits(52):013x}p{rng.randrange(-1074, 1024)}")
    if kind in (4, 5):
        alphabet = 'ab0123456789 -:,[]{}"\\/\n\té😀\u2028\x00\x1f'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {
        random_value(rng, 4) if rng.random() < 0.3 else f"k{rng.randrange(4)}": random_value(rng, depth + 1)
        for _ in range(rng.randrange(5))
    }


def render(value: Any, rng: random.Random) -> str:
    """JSON text of ``value`` written in one of the ways a server may write it: whitespace, escapes, number forms."""
    space = rng.choice(["", " ", "\n", "\t ", "\r\n"])
    if isinstance(value, dict):
        items = [f"{render(str(key), rng)}{space}:{space}{render(item, rng)}" for key, item in value.items()]
        if items and rng.random() < 0.2:  # a duplicate key, its first value dropped
            items.insert(0, f"{render(str(next(iter(value))), rng)}:{render(random_value(rng, 4), rng)}")
        return "{" + space + f",{space}".join(items) + space + "}"
    if isinstance(value, list):
        return "[" + space + f",{space}".join(render(item, rng) for item in value) + space + "]"
    if isinstance(value, float):
        text = rng.choice([repr(value), f"{value:.17e}", f"{value:.25g}"])
        return text.replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.2:
        return f"{value}e0" if value >= 0 else f"{value}E+0"
    return json.dumps(value, ensure_ascii=rng.random() < 0.5)


def test_random_documents_decode_as_json_loads_does(decoder: str) -> None:
    rng = random.Random(20)
    for _ in range(3000):
        value = random_value(rng)
        data = render(value, rng).encode(rng.choice(["utf-8", "utf-8", "utf-8", "utf-16", "utf-32"]))
        assert outcome(lambda data=data: _json.loads(data)) == reference(data), data


def test_float_literals_round_as_json_loads_does(decoder: str) -> None:
    """orjson's own rounding (these are all finite: orjson reads them, no fallback) is json.loads's, to the last bit."""
    rng = random.Random(7)
    literals = []
    for _ in range(5000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40))).lstrip("0") or "0"
        fraction = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40)))
        exponent = rng.randrange(-340, 300 - len(digits))
        literals.append(f"{rng.choice(['', '-'])}{digits}.{fraction}{rng.choice('eE')}{exponent}")
    data = ("[" + ",".join(literals) + "]").encode()
    assert len(orjson.loads(data)) == len(literals)
    assert outcome(lambda: _json.loads(data)) == reference(data)


# --- every example of openapi.yaml --------------------------------------------------------------------------------


def spec_examples() -> list[Any]:
    """Every ``example`` and every entry of ``examples`` in openapi.yaml."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "example":
                    found.append(value)
                elif key == "examples" and isinstance(value, dict):
                    found.extend(
                        entry.get("value", entry) if isinstance(entry, dict) else entry for entry in value.values()
                    )
                elif key == "examples" and isinstance(value, list):
                    found.extend(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8")))
    return found


def test_every_spec_example_decodes_as_json_loads_does(decoder: str) -> None:
    examples = spec_examples()
    assert len(examples) > 300
    for example in examples:
        for data in (json.dumps(example).encode(), json.dumps(example, indent=2, ensure_ascii=False).encode()):
            assert outcome(lambda data=data: _json.loads(data)) == reference(data), data


def sdk_operations() -> dict[str, Operation[Any]]:
    """Every operation of the generated resource modules, by name."""
    import avala.resources

    ops: dict[str, Operation[Any]] = {}
    for module in pkgutil.iter_modules(avala.resources.__path__):
        loaded = importlib.import_module(f"avala.resources.{module.name}")
        ops.update((op.name, op) for op in vars(loaded).values() if isinstance(op, Operation))
    return ops


def full_sample(spec: Any, schema: Any, depth: int = 0) -> Any:
    """A value for ``schema`` with every property the spec gives (not only the required ones), from its examples."""
    schema = spec.resolve(schema)
    for key in ("oneOf", "anyOf"):
        if key in schema and depth < 6:
            branches = [b for b in schema[key] if spec.resolve(b).get("type") != "null"]
            return full_sample(spec, branches[0], depth + 1) if branches else None
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if (kind == "object" or "properties" in schema) and depth < 6:
        return {name: full_sample(spec, prop, depth + 1) for name, prop in schema.get("properties", {}).items()}
    if kind == "array" and depth < 6:
        return [full_sample(spec, schema.get("items", {}), depth + 1)]
    return spec.sample(schema, "example") if depth < 6 else None


def response_bodies() -> list[tuple[str, bytes]]:
    """(operation name, body) for every operation with a JSON response: its required fields, and every field."""
    from tests.contract import spec as contract_spec

    spec = contract_spec.load()
    bodies = []
    for op in spec.operations:
        if op.response_schema is None:
            continue
        for sample in (spec.sample(op.response_schema, op.operation_id), full_sample(spec, op.response_schema)):
            bodies.append((op.sdk_name, json.dumps(sample, ensure_ascii=False).encode()))
    return bodies


def test_every_operation_parses_its_spec_examples_alike_with_each_decoder() -> None:
    ops = sdk_operations()
    bodies = response_bodies()
    assert len(bodies) > 150
    client = Client(api_key="k")
    transport = client._transport
    try:
        for name, body in bodies:
            op = ops[name]
            results = []
            for decoder in DECODERS.values():
                _json._use(decoder)
                response = httpx.Response(200, content=body, request=httpx.Request("GET", "https://api.avala.ai/x"))
                if isinstance(op, PageOperation):
                    page = lambda op=op, r=response: transport._page(op, r, 1, CursorPage)  # noqa: E731
                    results.append(outcome(lambda page=page: [page().items, page().next_page_params]))
                else:
                    results.append(outcome(lambda op=op, r=response: transport._parse(op, r, 1)))
            assert results[0] == results[1], name
    finally:
        _json._use(_json._choose())
        client.close()


# --- whole responses through the transport ------------------------------------------------------------------------

HEADERS: dict[str, dict[str, str]] = {
    "json": {"content-type": "application/json"},
    "json utf-8": {"content-type": "application/json; charset=utf-8"},
    "json latin-1": {"content-type": "application/json; charset=iso-8859-1"},
    "json utf-16": {"content-type": "application/json; charset=utf-16"},
    "unknown charset": {"content-type": "application/json; charset=klingon"},
    "text": {"content-type": "text/plain"},
    "none": {},
}


def fetch(body: bytes, headers: dict[str, str], max_response_bytes: int | None = None) -> Any:
    """A GET answered with ``body`` and ``headers``: its outcome (the decoded body as it is, or the error)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=headers)

    options: dict[str, Any] = {} if max_response_bytes is None else {"max_response_bytes": max_response_bytes}
    client = Client(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler)), **options)
    op = Operation("x.get", "GET", "/x/", lambda data: data)
    try:
        return outcome(lambda: client._transport.call(op, (), None, None))
    finally:
        client.close()


@pytest.mark.parametrize("headers", list(HEADERS.values()), ids=list(HEADERS))
def test_responses_parse_alike_whatever_their_charset(headers: dict[str, str]) -> None:
    """The body's bytes are decoded, as httpx's ``Response.json()`` does: a charset parameter changes nothing."""
    for name, data in TRICKY.items():
        if name.startswith("deep") or name == "just past orjson":
            continue
        results = {}
        for label, decoder in DECODERS.items():
            _json._use(decoder)
            results[label] = fetch(data, headers)
        _json._use(_json._choose())
        assert results["orjson"] == results["json"], name
        as_httpx = outcome(lambda data=data: httpx.Response(200, content=data, headers=headers).json())
        if as_httpx[0] == "value":  # the SDK's stdlib path gives what httpx's json() gives
            assert results["json"] == as_httpx, name


def test_the_size_bound_and_messages_are_the_decoders_own_no_more() -> None:
    body = json.dumps({"results": ["x" * 100] * 20}).encode()
    for decoder in DECODERS.values():
        _json._use(decoder)
        assert fetch(body, HEADERS["json"], max_response_bytes=1024)[:2] == ("error", "APIResponseValidationError")
        assert "max_response_bytes" in fetch(body, HEADERS["json"], max_response_bytes=1024)[2]
        assert fetch(b"", HEADERS["json"])[2] == "x.get: HTTP 200 response with an empty body"
        assert fetch(b"NaN?", HEADERS["json"])[2] == "x.get: HTTP 200 response with a body that is not valid JSON: NaN?"
        assert fetch(b"[1e400]", HEADERS["json"]) == ("value", ("array", [("float", "inf")]))
    _json._use(_json._choose())


# --- choosing the decoder -----------------------------------------------------------------------------------------


def run_python(code: str, **env: str) -> str:
    environ = {key: value for key, value in os.environ.items() if key != "AVALA_NO_SPEEDUPS"}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**environ, **env}, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return result.stdout.strip()


def test_orjson_is_used_when_installed_and_imported_with_the_first_decode_only() -> None:
    code = (
        "import sys, avala\n"
        "c = avala.Client(api_key='k')\n"
        "print('orjson' in sys.modules)\n"
        "from avala import _json\n"
        "print(_json.loads(b'[1]'), 'orjson' in sys.modules, _json.backend())\n"
    )
    assert run_python(code).splitlines() == ["False", "[1] True orjson"]


@pytest.mark.parametrize(
    ("value", "backend"), [("1", "json"), ("True", "json"), ("0", "orjson"), ("no", "orjson"), ("", "orjson")]
)
def test_avala_no_speedups_keeps_the_standard_library(value: str, backend: str) -> None:
    code = "import sys\nfrom avala import _json\nprint(_json.backend(), 'orjson' in sys.modules)"
    assert run_python(code, AVALA_NO_SPEEDUPS=value) == f"{backend} {backend == 'orjson'}"


def test_without_orjson_the_standard_library_decodes() -> None:
    code = (
        "import sys\nsys.modules['orjson'] = None  # as if it were not installed\n"
        "from avala import _json\nprint(_json.backend(), _json.loads(b'{\"a\": 18446744073709551616}'))"
    )
    assert run_python(code) == "json {'a': 18446744073709551616}"


def test_where_the_big_integer_check_says_no_orjson_and_json_loads_agree() -> None:
    """The check before orjson is conservative: on random bodies (big integers among them), orjson's value is
    json.loads's wherever the check lets orjson decode."""
    rng = random.Random(3)
    checked = 0
    for _ in range(3000):
        data = render(random_value(rng), rng).encode()
        if _json.may_hold_big_integer(data):
            continue
        try:
            value = orjson.loads(data)
        except ValueError:
            continue
        checked += 1
        assert exact(value) == exact(json.loads(data)), data
    assert checked > 1000


def test_the_big_integer_check() -> None:
    big = [
        b"18446744073709551616",
        b" -9223372036854775809",
        b"[1,100000000000000000000]",
        b'{"a":\n-1000000000000000000}',
    ]
    small = [
        b"9999999999999999999",
        b"[1771928100000000000]",
        b'"a=100000000000000000000"',
        b"[1.00000000000000000000]",
    ]
    assert [_json.may_hold_big_integer(data) for data in big] == [True] * len(big)
    assert [_json.may_hold_big_integer(data) for data in small] == [False] * len(small)
