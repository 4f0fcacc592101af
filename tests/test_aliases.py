"""Names the published package exports besides ``Client``: code written against it imports them unchanged."""

from __future__ import annotations

import avala


def test_avala_is_an_alias_of_client() -> None:
    assert avala.Avala is avala.Client
    assert "Avala" in avala.__all__
    client = avala.Avala(api_key="test-key")
    assert isinstance(client, avala.Client)
    client.close()
