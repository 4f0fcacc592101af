"""``import avala`` loads no generated model or resource module; a resource loads on first use, alone."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after(code: str) -> list[str]:
    """The avala.types / avala.resources modules loaded after running ``code`` in a fresh interpreter."""
    script = (
        "import sys, json\n"
        + code
        + "\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith(('avala.types', 'avala.resources')))))"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_import_and_client_load_no_generated_module() -> None:
    assert loaded_after("import avala\navala.Client(api_key='k'); avala.AsyncClient(api_key='k')") == []


def test_heavy_dependencies_stay_unloaded() -> None:
    # (what httpx loads with itself is not avala's: httpx 0.27 imports httpcore, which imports trio when installed)
    script = (
        "import sys, httpx; base = set(sys.modules)\n"
        "import avala; avala.Client(api_key='k'); print(sorted({'attrs', 'attr'} & (set(sys.modules) - base)))"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_the_transport_and_httpcore_load_with_the_first_call_not_the_client() -> None:
    """(httpx before 0.28 imports httpcore with itself: there only the transport can wait for the first call.)"""
    script = (
        "import sys, httpx\n"
        "print('httpcore' in sys.modules)\n"
        "import avala\n"
        "avala.Client(api_key='k'); avala.AsyncClient(api_key='k')\n"
        "print(sorted({'avala._transport', 'httpcore'} & set(sys.modules)))\n"
        "avala.Client(api_key='k').with_options(max_retries=1)\n"
        "print(sorted({'avala._transport', 'httpcore'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    eager, before, after = out.split("\n")[:3]
    assert before == ("['httpcore']" if eager == "True" else "[]")
    assert after == "['avala._transport', 'httpcore']"
    import httpx

    if tuple(int(part) for part in httpx.__version__.split(".")[:2]) >= (0, 28):
        assert eager == "False"


def test_first_use_loads_only_that_resource_and_its_models() -> None:
    loaded = loaded_after("import avala\nc = avala.Client(api_key='k')\nc.exports")
    assert loaded == ["avala.resources", "avala.resources.exports", "avala.types", "avala.types.export"]


def test_fleet_namespace_is_lazy_too() -> None:
    loaded = loaded_after("import avala\nc = avala.Client(api_key='k')\nc.fleet\n")
    assert loaded == []
    loaded = loaded_after("import avala\nc = avala.Client(api_key='k')\nc.fleet.alert_channels\n")
    assert loaded == [
        "avala.resources",
        "avala.resources.fleet_alert_channels",
        "avala.types",
        "avala.types.alert_channel",
    ]


def test_types_index_loads_one_model_at_a_time() -> None:
    loaded = loaded_after("from avala.types import Dataset")
    assert loaded == ["avala.types", "avala.types.dataset"]


def test_the_fast_json_decoder_loads_with_the_first_response_not_the_client() -> None:
    """orjson (``avala[speedups]``), when installed, is imported by the first decode (a response's body), not before."""
    script = (
        "import sys, httpx, avala\n"
        "c = avala.Client(api_key='k', http_client=httpx.Client(transport=httpx.MockTransport("
        "lambda request: httpx.Response(200, json={'uid': 'd', 'name': 'n', 'slug': 's'}))))\n"
        "c.datasets\n"
        "print('orjson' in sys.modules)\n"
        "c.datasets.get('d')\n"
        "from avala import _json\n"
        "print(_json.backend() == 'orjson' and 'orjson' in sys.modules or _json.backend() == 'json')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "True"]
