"""A model is never observable half-built: a failed ``from_dict`` leaves no partial instance in its frame, so
tracebacks formatted with their locals (Sentry, rich) show the error, not an ``AttributeError`` of their own."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from avala.types import Dataset, Organization


@pytest.mark.parametrize(
    ("model", "data", "error"),
    [
        (Dataset, {"uid": "ds-1", "slug": "training"}, KeyError),  # a required field missing
        (Dataset, {"uid": "ds-1", "name": "n", "slug": "s", "created_at": "yesterday"}, ValueError),
        (Dataset, {"uid": "ds-1", "name": "n", "slug": "s", "created_at": 5}, TypeError),
        (Organization, {"slug": "acme-ai"}, KeyError),
    ],
    ids=["missing", "bad-date", "wrong-type", "organization"],
)
def test_a_failed_from_dict_formats_with_locals(model: Any, data: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        model.from_dict(data)
    formatted = "".join(traceback.TracebackException.from_exception(info.value, capture_locals=True).format())
    assert "AttributeError" not in formatted and "<exception str() failed>" not in formatted
    frames = [frame for frame in traceback.walk_tb(info.value.__traceback__)]
    for frame, _ in frames:
        for value in frame.f_locals.values():
            assert not isinstance(value, model), "a half-built instance is in a frame"
            repr(value)


async def test_an_unusable_response_formats_with_locals(mode: str, server: Any) -> None:
    """The same through the client (the error an error tracker sees, its cause chain included): sync and async."""
    from avala.errors import APIResponseValidationError
    from tests.test_faults import get, make_probe, reply

    server.script = [reply(200, {"uid": "ds-1", "slug": "training"})]
    probe = make_probe(mode, server.base)
    try:
        with pytest.raises(APIResponseValidationError) as info:
            await probe.run(get)
        formatted = "".join(traceback.TracebackException.from_exception(info.value, capture_locals=True).format())
        assert "KeyError: 'name'" in formatted and "<local repr() failed>" not in formatted
        cause = info.value.__cause__
        assert isinstance(cause, KeyError)
        for frame, _ in traceback.walk_tb(cause.__traceback__):
            for value in frame.f_locals.values():
                repr(value)  # what rich and Sentry do: a half-built model raised AttributeError here
    finally:
        await probe.close()
