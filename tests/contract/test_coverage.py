"""The contract suite reaches every operation of openapi.yaml, in every pass (run last: see conftest.py)."""

from __future__ import annotations

from tests import api_surface

from .calls import VARIANTS
from .spec import Spec
from .test_operations import MODES

PASSES = [f"examples/{variant}/{mode}" for variant in VARIANTS for mode in MODES] + [
    f"generated/full/{mode}" for mode in MODES
]


def test_every_operation_is_reached(spec: Spec, ledger: dict[str, set[str]]) -> None:
    """Every operationId was called, accepted by the mock server and parsed, in each pass and mode."""
    unreached = {
        name: [op.operation_id for op in spec.operations if op.operation_id not in ledger.get(name, set())]
        for name in PASSES
    }
    report = "\n".join(f"  {name}: {', '.join(ops)}" for name, ops in unreached.items() if ops)
    assert not report, f"operations the contract suite did not reach (run all of tests/contract):\n{report}"
    assert [op.sdk_name for op in spec.operations] == list(api_surface.OPERATIONS), "run `make codegen`"
