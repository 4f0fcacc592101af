"""Every code example of ``python-sdk-reference.txt`` runs unchanged against mocked HTTP.

Each snippet below is copied verbatim from ``tests/data/python-sdk-reference.txt`` (the published SDK's Python
reference, kept in the repository so that a fresh clone runs every test); the number before it is the line where it
starts there. The reference flattens indentation, so the bodies of ``with``, ``for``, ``if``
and ``try``/``except`` blocks are re-indented by four spaces, and nothing else is changed:
``test_snippets_are_verbatim`` checks that each snippet, with leading spaces stripped, is those lines of the reference.

A snippet runs with ``exec`` (top-level ``await`` allowed) with ``client`` (a ``Client`` whose retry sleep is a
no-op), ``Client``, ``AsyncClient`` and ``os`` in scope; every request it makes is mocked with pytest-httpx and then
compared with the request the API catalogue says the call sends.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, AsyncCursorPage, Client, CursorPage
from avala.types import (
    Agent,
    AutoLabelJob,
    ConsensusConfig,
    Dataset,
    Invitation,
    QualityTargetEvaluation,
    StorageConfig,
    Team,
    TeamMember,
)
from tests.conftest import API_KEY, BASE
from tests.operations.payloads import (
    AGENT,
    AGENT_EXECUTION,
    AUTO_LABEL_JOB,
    CONSENSUS_COMPUTE_RESULT,
    CONSENSUS_CONFIG,
    CONSENSUS_SCORE,
    CONSENSUS_SUMMARY,
    DATASET,
    DATASET_ITEM,
    DATASET_SEQUENCE,
    EXPORT,
    INFERENCE_PROVIDER,
    INVITATION,
    ORGANIZATION,
    ORGANIZATION_MEMBER,
    PROJECT,
    QUALITY_TARGET,
    QUALITY_TARGET_EVALUATION,
    SLICE,
    SLICE_ITEM,
    STORAGE_CONFIG,
    TASK,
    TEAM,
    TEAM_MEMBER,
    WEBHOOK,
    WEBHOOK_DELIVERY,
    page,
)

# The published SDK's reference, a fact of the API kept in the repository; the copy of the shared reference documents
# (``../shared/reference/`` beside the checkout, where they exist) it was taken from.
REFERENCE = Path(__file__).resolve().parent / "data" / "python-sdk-reference.txt"
SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "python-sdk-reference.txt"
NO_BODY = object()
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@dataclass
class Exchange:
    """One request a snippet must send (URL relative to the base URL, exact query) and the answer it gets."""

    method: str
    url: str
    body: Any = NO_BODY
    status: int = 200
    response: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    repeat: int = 1  # the same exchange sent this many times (retries)


@dataclass
class Example:
    """One snippet of the reference (``line``: where it starts), the requests it sends and what it leaves behind."""

    line: int
    code: str
    exchanges: list[Exchange]
    check: Callable[[dict[str, Any], str], None] = lambda namespace, out: None
    name: str = ""

    @property
    def id(self) -> str:
        calls = re.findall(r"client\.([a-z_]+\.[a-z_]+)\(", self.code)
        return self.name or f"L{self.line}-{calls[0] if calls else 'client'}"


def get(url: str, response: Any) -> Exchange:
    return Exchange("GET", url, response=response)


def void(method: str, url: str, body: Any = NO_BODY) -> Exchange:
    return Exchange(method, url, body=body, status=204)


def assigned(name: str, kind: type | tuple[type, ...]) -> Callable[[dict[str, Any], str], None]:
    """A check: the snippet left ``name`` bound to an instance of ``kind``."""

    def check(namespace: dict[str, Any], out: str) -> None:
        assert isinstance(namespace[name], kind), f"{name} = {namespace[name]!r}"

    return check


def printed(*lines: str) -> Callable[[dict[str, Any], str], None]:
    """A check: the snippet printed exactly these lines."""

    def check(namespace: dict[str, Any], out: str) -> None:
        assert out.splitlines() == list(lines)

    return check


def is_list_like(name: str, model: type, n: int) -> Callable[[dict[str, Any], str], None]:
    """Examples documented as returning ``list[Model]`` get a page: it must still behave like that list."""

    def check(namespace: dict[str, Any], out: str) -> None:
        value = namespace[name]
        assert len(value) == n and all(isinstance(item, model) for item in value)
        assert list(value) == [value[i] for i in range(n)] and value[-1] is value[n - 1]

    return check


def every(*checks: Callable[[dict[str, Any], str], None]) -> Callable[[dict[str, Any], str], None]:
    """A check made of several checks."""

    def check(namespace: dict[str, Any], out: str) -> None:
        for one in checks:
            one(namespace, out)

    return check


PAGE = page([DATASET], "cD0y", "/datasets/")


def check_client_construction(namespace: dict[str, Any], out: str) -> None:
    client = namespace["client"]
    assert isinstance(client, Client) and client.base_url == BASE
    assert client.timeout == httpx.Timeout(30.0) and client.max_retries == 2


def check_storage_config(namespace: dict[str, Any], out: str) -> None:
    assert isinstance(namespace["config"], StorageConfig) and namespace["config"].name == "Production S3"


EXAMPLES: list[Example] = [
    # --- Client --------------------------------------------------------------------------------------------------
    Example(
        5,
        """\
from avala import Client
client = Client(
api_key="avk_...", # or set AVALA_API_KEY env var
base_url="https://api.avala.ai/api/v1", # default
timeout=30.0, # seconds
max_retries=2,
)""",
        [],
        check_client_construction,
        name="L5-client-construction",
    ),
    Example(
        41,
        """\
with Client() as client:
    datasets = client.datasets.list()""",
        [get("/datasets/", PAGE)],
        assigned("datasets", CursorPage),
        name="L41-context-manager",
    ),
    Example(
        45,
        """\
from avala import AsyncClient
async with AsyncClient() as client:
    datasets = await client.datasets.list()""",
        [get("/datasets/", PAGE)],
        assigned("datasets", AsyncCursorPage),
        name="L45-async-client",
    ),
    # --- datasets ------------------------------------------------------------------------------------------------
    Example(
        52,
        """\
dataset = client.datasets.create(
name="LiDAR Captures Q1",
slug="lidar-captures-q1",
data_type="lidar",
is_sequence=True,
visibility="private",
provider_config={
"provider": "aws_s3",
"s3_bucket_name": "my-datasets",
"s3_bucket_region": "us-east-1",
"s3_bucket_prefix": "captures/q1/",
"s3_access_key_id": "AKIA...",
"s3_secret_access_key": "your-secret-key",
},
owner_name="my-org",
)""",
        [
            Exchange(
                "POST",
                "/datasets/",
                body={
                    "name": "LiDAR Captures Q1",
                    "slug": "lidar-captures-q1",
                    "data_type": "lidar",
                    "is_sequence": True,
                    "visibility": "private",
                    "create_metadata": True,
                    "provider_config": {
                        "provider": "aws_s3",
                        "s3_bucket_name": "my-datasets",
                        "s3_bucket_region": "us-east-1",
                        "s3_bucket_prefix": "captures/q1/",
                        "s3_access_key_id": "AKIA...",
                        "s3_secret_access_key": "your-secret-key",
                    },
                    "owner_name": "my-org",
                },
                status=201,
                response=DATASET,
            )
        ],
        assigned("dataset", Dataset),
    ),
    Example(
        81,
        'page = client.datasets.list(data_type="image", name="highway", limit=20)',
        [get("/datasets/?data_type=image&name=highway&limit=20", PAGE)],
        assigned("page", CursorPage),
    ),
    Example(
        93,
        'dataset = client.datasets.get("550e8400-e29b-41d4-a716-446655440000")',
        [get("/datasets/550e8400-e29b-41d4-a716-446655440000/", DATASET)],
        assigned("dataset", Dataset),
    ),
    Example(
        100,
        'page = client.datasets.list_items("my-org", "my-dataset", limit=50)',
        [get("/datasets/my-org/my-dataset/items/?limit=50", page([DATASET_ITEM]))],
    ),
    Example(
        110,
        'item = client.datasets.get_item("my-org", "my-dataset", "item_uid")',
        [get("/datasets/my-org/my-dataset/items/item_uid/", DATASET_ITEM)],
    ),
    Example(
        119,
        'page = client.datasets.list_sequences("my-org", "my-dataset", limit=50)',
        [get("/datasets/my-org/my-dataset/sequences/?limit=50", page([DATASET_SEQUENCE]))],
    ),
    Example(
        129,
        'seq = client.datasets.get_sequence("my-org", "my-dataset", "sequence_uid")',
        [get("/datasets/my-org/my-dataset/sequences/sequence_uid/", DATASET_SEQUENCE)],
    ),
    # --- projects, tasks, exports ------------------------------------------------------------------------------
    Example(139, "page = client.projects.list(limit=20)", [get("/users/me/projects/?limit=20", page([PROJECT]))]),
    Example(
        147,
        'project = client.projects.get("770a9600-a40d-63f6-c938-668877660000")',
        [get("/users/me/projects/770a9600-a40d-63f6-c938-668877660000/", PROJECT)],
    ),
    Example(
        155,
        'page = client.tasks.list(project="proj_uid", status="pending", limit=50)',
        [get("/tasks/?project=proj_uid&status=pending&limit=50", page([TASK]))],
    ),
    Example(
        165,
        'task = client.tasks.get("990c1800-b62f-85a8-e150-880099880000")',
        [get("/tasks/990c1800-b62f-85a8-e150-880099880000/", TASK)],
    ),
    Example(173, "page = client.exports.list(limit=10)", [get("/exports/?limit=10", page([EXPORT]))]),
    Example(
        181,
        'export = client.exports.create(project="proj_uid")',
        [Exchange("POST", "/exports/", body={"project": "proj_uid"}, status=201, response=EXPORT)],
    ),
    Example(189, 'export = client.exports.get("export_uid")', [get("/exports/export_uid/", EXPORT)]),
    # --- storage_configs ---------------------------------------------------------------------------------------
    Example(197, "page = client.storage_configs.list()", [get("/storage-configs/", page([STORAGE_CONFIG]))]),
    Example(
        205,
        """\
import os
config = client.storage_configs.create(
name="Production S3",
provider="s3",
s3_bucket_name="my-bucket",
s3_bucket_region="us-west-2",
s3_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
s3_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)""",
        [
            Exchange(
                "POST",
                "/storage-configs/",
                body={
                    "name": "Production S3",
                    "provider": "s3",
                    "s3_bucket_name": "my-bucket",
                    "s3_bucket_region": "us-west-2",
                    "s3_access_key_id": AWS_KEY_ID,
                    "s3_secret_access_key": AWS_SECRET,
                },
                status=201,
                response=STORAGE_CONFIG,
            )
        ],
        check_storage_config,
    ),
    Example(
        230,
        'result = client.storage_configs.test("config_uid")',
        [Exchange("POST", "/storage-configs/config_uid/test/", response={"verified": True, "errors": {}})],
        assigned("result", dict),
    ),
    Example(234, 'client.storage_configs.delete("config_uid")', [void("DELETE", "/storage-configs/config_uid/")]),
    # --- agents ------------------------------------------------------------------------------------------------
    Example(239, "page = client.agents.list(limit=20)", [get("/agents/?limit=20", page([AGENT]))]),
    Example(247, 'agent = client.agents.get("agent_uid")', [get("/agents/agent_uid/", AGENT)]),
    Example(
        254,
        """\
agent = client.agents.create(
name="QA Bot",
events=["task.completed"],
callback_url="https://example.com/webhook",
task_types=["annotation"],
)""",
        [
            Exchange(
                "POST",
                "/agents/",
                body={
                    "name": "QA Bot",
                    "events": ["task.completed"],
                    "callback_url": "https://example.com/webhook",
                    "task_types": ["annotation"],
                },
                status=201,
                response=AGENT,
            )
        ],
        assigned("agent", Agent),
    ),
    Example(
        272,
        'agent = client.agents.update("agent_uid", is_active=False, callback_url="https://example.com/new-webhook")',
        [
            Exchange(
                "PATCH",
                "/agents/agent_uid/",
                body={"is_active": False, "callback_url": "https://example.com/new-webhook"},
                response=AGENT,
            )
        ],
    ),
    Example(286, 'client.agents.delete("agent_uid")', [void("DELETE", "/agents/agent_uid/")]),
    Example(
        290,
        'page = client.agents.list_executions("agent_uid", limit=50)',
        [get("/agents/agent_uid/executions/?limit=50", page([AGENT_EXECUTION]))],
    ),
    Example(
        299,
        """\
result = client.agents.test("agent_uid")
# {"success": True}""",
        [Exchange("POST", "/agents/agent_uid/test/", response={"success": True})],
        lambda namespace, out: _equal(namespace["result"], {"success": True}),
    ),
    # --- inference_providers -----------------------------------------------------------------------------------
    Example(
        305, "page = client.inference_providers.list()", [get("/inference-providers/", page([INFERENCE_PROVIDER]))]
    ),
    Example(
        313,
        'provider = client.inference_providers.get("provider_uid")',
        [get("/inference-providers/provider_uid/", INFERENCE_PROVIDER)],
    ),
    Example(
        317,
        """\
provider = client.inference_providers.create(
name="My SageMaker",
provider_type="sagemaker",
config={"endpoint": "my-endpoint", "region": "us-east-1"},
)""",
        [
            Exchange(
                "POST",
                "/inference-providers/",
                body={
                    "name": "My SageMaker",
                    "provider_type": "sagemaker",
                    "config": {"endpoint": "my-endpoint", "region": "us-east-1"},
                },
                status=201,
                response=INFERENCE_PROVIDER,
            )
        ],
    ),
    Example(
        333,
        'provider = client.inference_providers.update("provider_uid", is_active=False)',
        [
            Exchange(
                "PATCH", "/inference-providers/provider_uid/", body={"is_active": False}, response=INFERENCE_PROVIDER
            )
        ],
    ),
    Example(
        346,
        'client.inference_providers.delete("provider_uid")',
        [void("DELETE", "/inference-providers/provider_uid/")],
    ),
    Example(
        350,
        """\
result = client.inference_providers.test("provider_uid")
# {"success": True, "message": "Connection successful", "tested_at": "2026-02-24T..."}""",
        [
            Exchange(
                "POST",
                "/inference-providers/provider_uid/test/",
                response={"success": True, "message": "Connection successful", "tested_at": "2026-02-24T10:15:00Z"},
            )
        ],
        lambda namespace, out: _equal(namespace["result"]["message"], "Connection successful"),
    ),
    # --- auto_label_jobs ---------------------------------------------------------------------------------------
    Example(
        356,
        'page = client.auto_label_jobs.list(project="proj_uid", limit=20)',
        [get("/auto-label-jobs/?project=proj_uid&limit=20", page([AUTO_LABEL_JOB]))],
    ),
    Example(
        365,
        """\
job = client.auto_label_jobs.get("job_uid")
print(f"Progress: {job.progress_pct}%")""",
        [get("/auto-label-jobs/job_uid/", AUTO_LABEL_JOB)],
        printed("Progress: 40.0%"),
    ),
    Example(
        370,
        """\
job = client.auto_label_jobs.create(
"proj_uid",
model_type="sam3",
confidence_threshold=0.85,
labels=["car", "truck"],
)""",
        [
            Exchange(
                "POST",
                "/projects/proj_uid/auto-label/",
                body={"model_type": "sam3", "confidence_threshold": 0.85, "labels": ["car", "truck"]},
                status=201,
                response=AUTO_LABEL_JOB,
            )
        ],
        assigned("job", AutoLabelJob),
    ),
    Example(386, 'client.auto_label_jobs.cancel("job_uid")', [void("DELETE", "/auto-label-jobs/job_uid/")]),
    # --- quality_targets ---------------------------------------------------------------------------------------
    Example(
        392,
        'page = client.quality_targets.list("proj_uid")',
        [get("/projects/proj_uid/quality-targets/", page([QUALITY_TARGET]))],
    ),
    Example(
        401,
        'target = client.quality_targets.get("proj_uid", "target_uid")',
        [get("/projects/proj_uid/quality-targets/target_uid/", QUALITY_TARGET)],
    ),
    Example(
        409,
        """\
target = client.quality_targets.create(
"proj_uid",
name="Accuracy Target",
metric="accuracy",
threshold=0.95,
operator="gte",
severity="critical",
notify_webhook=True,
notify_emails=["alerts@example.com"],
)""",
        [
            Exchange(
                "POST",
                "/projects/proj_uid/quality-targets/",
                body={
                    "name": "Accuracy Target",
                    "metric": "accuracy",
                    "threshold": 0.95,
                    "operator": "gte",
                    "severity": "critical",
                    "notify_webhook": True,
                    "notify_emails": ["alerts@example.com"],
                },
                status=201,
                response=QUALITY_TARGET,
            )
        ],
    ),
    Example(
        433,
        'target = client.quality_targets.update("proj_uid", "target_uid", threshold=0.9)',
        [
            Exchange(
                "PATCH",
                "/projects/proj_uid/quality-targets/target_uid/",
                body={"threshold": 0.9},
                response=QUALITY_TARGET,
            )
        ],
    ),
    Example(
        449,
        'client.quality_targets.delete("proj_uid", "target_uid")',
        [void("DELETE", "/projects/proj_uid/quality-targets/target_uid/")],
    ),
    Example(
        453,
        """\
results = client.quality_targets.evaluate("proj_uid")
for r in results:
    print(f"{r.name}: {r.current_value} (breached: {r.is_breached})")""",
        [
            Exchange(
                "POST",
                "/projects/proj_uid/quality-targets/evaluate/",
                response=[
                    QUALITY_TARGET_EVALUATION,
                    {**QUALITY_TARGET_EVALUATION, "name": "Recall", "current_value": 1},
                ],
            )
        ],
        every(
            printed("Accuracy Target: 0.91 (breached: True)", "Recall: 1 (breached: True)"),
            is_list_like("results", QualityTargetEvaluation, 2),
        ),
    ),
    # --- consensus ---------------------------------------------------------------------------------------------
    Example(
        461,
        """\
summary = client.consensus.get_summary("proj_uid")
print(f"Mean score: {summary.mean_score}")
print(f"Items with consensus: {summary.items_with_consensus}/{summary.total_items}")""",
        [get("/projects/proj_uid/consensus/", CONSENSUS_SUMMARY)],
        printed("Mean score: 0.82", "Items with consensus: 96/120"),
    ),
    Example(
        467,
        'page = client.consensus.list_scores("proj_uid", limit=50)',
        [get("/projects/proj_uid/consensus/scores/?limit=50", page([CONSENSUS_SCORE]))],
    ),
    Example(
        476,
        """\
result = client.consensus.compute("proj_uid")
print(result.status) # "started\"""",
        [Exchange("POST", "/projects/proj_uid/consensus/compute/", response=CONSENSUS_COMPUTE_RESULT)],
        printed("started"),
    ),
    Example(
        481,
        """\
config = client.consensus.get_config("proj_uid")
print(f"IoU threshold: {config.iou_threshold}")""",
        [get("/projects/proj_uid/consensus/config/", CONSENSUS_CONFIG)],
        printed("IoU threshold: 0.7"),
    ),
    Example(
        486,
        """\
config = client.consensus.update_config(
"proj_uid",
iou_threshold=0.7,
min_agreement_ratio=0.8,
min_annotations=3,
)""",
        [
            Exchange(
                "PUT",
                "/projects/proj_uid/consensus/config/",
                body={"iou_threshold": 0.7, "min_agreement_ratio": 0.8, "min_annotations": 3},
                response=CONSENSUS_CONFIG,
            )
        ],
        assigned("config", ConsensusConfig),
    ),
    # --- webhooks, webhook_deliveries --------------------------------------------------------------------------
    Example(502, "page = client.webhooks.list()", [get("/webhooks/", page([WEBHOOK]))]),
    Example(510, 'webhook = client.webhooks.get("webhook_uid")', [get("/webhooks/webhook_uid/", WEBHOOK)]),
    Example(
        514,
        """\
webhook = client.webhooks.create(
target_url="https://example.com/webhook",
events=["task.completed", "export.ready"],
is_active=True,
)""",
        [
            Exchange(
                "POST",
                "/webhooks/",
                body={
                    "target_url": "https://example.com/webhook",
                    "events": ["task.completed", "export.ready"],
                    "is_active": True,
                },
                status=201,
                response=WEBHOOK,
            )
        ],
    ),
    Example(
        528,
        'webhook = client.webhooks.update("webhook_uid", is_active=False)',
        [Exchange("PATCH", "/webhooks/webhook_uid/", body={"is_active": False}, response=WEBHOOK)],
    ),
    Example(538, 'client.webhooks.delete("webhook_uid")', [void("DELETE", "/webhooks/webhook_uid/")]),
    Example(
        542,
        """\
result = client.webhooks.test("webhook_uid")
# {"success": True}""",
        [Exchange("POST", "/webhooks/webhook_uid/test/", response={"success": True})],
        lambda namespace, out: _equal(namespace["result"], {"success": True}),
    ),
    Example(
        548,
        "page = client.webhook_deliveries.list(limit=20)",
        [get("/webhook-deliveries/?limit=20", page([WEBHOOK_DELIVERY]))],
    ),
    Example(
        556,
        """\
delivery = client.webhook_deliveries.get("delivery_uid")
print(f"Status: {delivery.status}, Attempts: {delivery.attempts}")""",
        [get("/webhook-deliveries/delivery_uid/", WEBHOOK_DELIVERY)],
        printed("Status: delivered, Attempts: 1"),
    ),
    # --- organizations -----------------------------------------------------------------------------------------
    Example(562, "page = client.organizations.list(limit=20)", [get("/organizations/?limit=20", page([ORGANIZATION]))]),
    Example(570, 'org = client.organizations.get("my-org")', [get("/organizations/my-org/", ORGANIZATION)]),
    Example(
        577,
        """\
org = client.organizations.create(
name="My Team",
visibility="private",
industry="technology",
)""",
        [
            Exchange(
                "POST",
                "/organizations/",
                body={"name": "My Team", "visibility": "private", "industry": "technology"},
                status=201,
                response=ORGANIZATION,
            )
        ],
    ),
    Example(
        595,
        'org = client.organizations.update("my-org", name="New Name", description="Updated desc")',
        [
            Exchange(
                "PATCH",
                "/organizations/my-org/",
                body={"name": "New Name", "description": "Updated desc"},
                response=ORGANIZATION,
            )
        ],
    ),
    Example(612, 'client.organizations.delete("my-org")', [void("DELETE", "/organizations/my-org/")]),
    Example(
        616,
        "choices = client.organizations.industry_choices()",
        [get("/organizations/industry-choices/", {"choices": [["technology", "Technology"]]})],
        assigned("choices", dict),
    ),
    Example(
        620,
        'page = client.organizations.list_members("my-org", role="admin")',
        [get("/organizations/my-org/members/?role=admin", page([ORGANIZATION_MEMBER]))],
    ),
    Example(
        631,
        'client.organizations.remove_member("my-org", "user_uid")',
        [void("DELETE", "/organizations/my-org/members/user_uid/")],
    ),
    Example(
        635,
        'client.organizations.update_member_role("my-org", "user_uid", role="admin")',
        [void("PATCH", "/organizations/my-org/members/user_uid/role/", {"role": "admin"})],
    ),
    Example(639, 'client.organizations.leave("my-org")', [void("POST", "/organizations/my-org/leave/")]),
    Example(
        643,
        'client.organizations.transfer_ownership("my-org", new_owner_uid="new_owner_uid")',
        [void("POST", "/organizations/my-org/transfer-ownership/", {"new_owner_uid": "new_owner_uid"})],
    ),
    # Documented as list[Invitation]; the API pages it (decisions.md), and the page is a sequence.
    Example(
        647,
        'invitations = client.organizations.list_invitations("my-org")',
        [get("/organizations/my-org/invitations/", page([INVITATION, INVITATION]))],
        is_list_like("invitations", Invitation, 2),
    ),
    Example(
        651,
        'invitation = client.organizations.create_invitation("my-org", email="user@example.com", role="member")',
        [
            Exchange(
                "POST",
                "/organizations/my-org/invitations/",
                body={"email": "user@example.com", "role": "member"},
                status=201,
                response=INVITATION,
            )
        ],
        assigned("invitation", Invitation),
    ),
    Example(
        660,
        'client.organizations.resend_invitation("my-org", "invitation_uid")',
        [void("POST", "/organizations/my-org/invitations/invitation_uid/resend/")],
    ),
    Example(
        664,
        'client.organizations.cancel_invitation("my-org", "invitation_uid")',
        [void("POST", "/organizations/my-org/invitations/invitation_uid/cancel/")],
    ),
    Example(
        668,
        'teams = client.organizations.list_teams("my-org")',
        [get("/organizations/my-org/teams/", page([TEAM]))],
        is_list_like("teams", Team, 1),
    ),
    Example(
        672,
        'team = client.organizations.create_team("my-org", name="ML Engineers", description="Machine learning team")',
        [
            Exchange(
                "POST",
                "/organizations/my-org/teams/",
                body={"name": "ML Engineers", "description": "Machine learning team"},
                status=201,
                response=TEAM,
            )
        ],
    ),
    Example(
        682,
        'team = client.organizations.get_team("my-org", "team_slug")',
        [get("/organizations/my-org/teams/team_slug/", TEAM)],
        assigned("team", Team),
    ),
    Example(
        686,
        'team = client.organizations.update_team("my-org", "team_slug", name="Updated Name")',
        [Exchange("PATCH", "/organizations/my-org/teams/team_slug/", body={"name": "Updated Name"}, response=TEAM)],
    ),
    Example(
        690,
        'client.organizations.delete_team("my-org", "team_slug")',
        [void("DELETE", "/organizations/my-org/teams/team_slug/")],
    ),
    Example(
        694,
        'members = client.organizations.list_team_members("my-org", "team_slug")',
        [get("/organizations/my-org/teams/team_slug/members/", page([TEAM_MEMBER, TEAM_MEMBER, TEAM_MEMBER]))],
        is_list_like("members", TeamMember, 3),
    ),
    Example(
        698,
        'member = client.organizations.add_team_member("my-org", "team_slug", user_uid="user_uid", role="member")',
        [
            Exchange(
                "POST",
                "/organizations/my-org/teams/team_slug/members/",
                body={"user_uid": "user_uid", "role": "member"},
                status=201,
                response=TEAM_MEMBER,
            )
        ],
        assigned("member", TeamMember),
    ),
    Example(
        702,
        'client.organizations.remove_team_member("my-org", "team_slug", "user_uid")',
        [void("DELETE", "/organizations/my-org/teams/team_slug/members/user_uid/")],
    ),
    Example(
        706,
        'client.organizations.update_team_member_role("my-org", "team_slug", "user_uid", role="lead")',
        [void("PATCH", "/organizations/my-org/teams/team_slug/members/user_uid/role/", {"role": "lead"})],
    ),
    # --- slices ------------------------------------------------------------------------------------------------
    Example(
        711, 'page = client.slices.list("my-org", limit=20)', [get("/slices/my-org/list/?limit=20", page([SLICE]))]
    ),
    Example(720, 's = client.slices.get("my-org", "my-slice")', [get("/slices/my-org/my-slice/", SLICE)]),
    Example(
        728,
        """\
s = client.slices.create(
name="Validation Set",
visibility="private",
sub_slices=[{"dataset": "dataset_uid", "filters": {}}],
organization="my-org",
)""",
        [
            Exchange(
                "POST",
                "/slices/",
                body={
                    "name": "Validation Set",
                    "visibility": "private",
                    "sub_slices": [{"dataset": "dataset_uid", "filters": {}}],
                    "organization": "my-org",
                },
                status=201,
                response=SLICE,
            )
        ],
    ),
    Example(
        744,
        'page = client.slices.list_items("my-org", "my-slice", limit=50)',
        [get("/slices/my-org/my-slice/items/list/?limit=50", page([SLICE_ITEM]))],
    ),
    Example(
        754,
        'item = client.slices.get_item("my-org", "my-slice", "item_uid")',
        [get("/slices/my-org/my-slice/items/item_uid/", SLICE_ITEM)],
    ),
    # --- CursorPage ----------------------------------------------------------------------------------------------
    Example(
        1104,
        """\
page = client.datasets.list(limit=20)
for dataset in page:
    print(dataset.name)
print(f"{len(page)} datasets on this page")
if page.has_more:
    next_page = client.datasets.list(limit=20, cursor=page.next_cursor)""",
        [
            get("/datasets/?limit=20", page([DATASET, {**DATASET, "name": "Night drives"}], "cD0y", "/datasets/")),
            get("/datasets/?limit=20&cursor=cD0y", page([DATASET])),
        ],
        every(printed("Training v2", "Night drives", "2 datasets on this page"), assigned("next_page", CursorPage)),
        name="L1104-cursor-page",
    ),
]

# --- Errors: the import (line 1112) and the try/except (line 1128) run together, once per branch ----------------
ERRORS_IMPORT = """\
from avala.errors import (
AvalaError,
AuthenticationError,
NotFoundError,
RateLimitError,
ValidationError,
ServerError,
)"""
ERRORS_TRY = """\
try:
    dataset = client.datasets.get("nonexistent")
except NotFoundError as e:
    print(f"Not found: {e.message}")
except RateLimitError as e:
    print(f"Retry after {e.retry_after}s")
except AvalaError as e:
    print(f"Error ({e.status_code}): {e.message}")"""
SNIPPETS: list[tuple[int, str]] = [(e.line, e.code) for e in EXAMPLES] + [(1112, ERRORS_IMPORT), (1128, ERRORS_TRY)]

ERROR_BRANCHES = {
    # status, headers, body, how many requests (the client retries 429 and, for a GET, 5xx: max_retries=2), output.
    # `message` is the server's `detail`, as in the published SDK (`str(error)` adds the call: "datasets.get: ...").
    "not-found": (404, {}, {"detail": "Not found."}, 1, "Not found: Not found."),
    "rate-limited": (429, {"Retry-After": "2"}, {"detail": "Slow down."}, 3, "Retry after 2.0s"),
    "server-error": (503, {}, {"detail": "Maintenance."}, 3, "Error (503): Maintenance."),
    "other-status": (409, {}, {"detail": "Conflict."}, 1, "Error (409): Conflict."),
}


def _equal(value: Any, expected: Any) -> None:
    assert value == expected, f"{value!r} != {expected!r}"


async def run(code: str, namespace: dict[str, Any]) -> None:
    """Execute a snippet as written; top-level ``await`` (the AsyncClient example) is allowed."""
    compiled = compile(code, "<reference example>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)
    if inspect.isawaitable(result):
        await result


def expect(httpx_mock: HTTPXMock, exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        kwargs: dict[str, Any] = {"status_code": exchange.status, "headers": exchange.headers}
        if exchange.response is not None:
            kwargs["json"] = exchange.response
        for _ in range(exchange.repeat):
            httpx_mock.add_response(method=exchange.method, url=BASE + exchange.url, **kwargs)


def assert_sent(httpx_mock: HTTPXMock, exchanges: list[Exchange], api_key: str = API_KEY) -> None:
    requests = httpx_mock.get_requests()
    expected = [exchange for exchange in exchanges for _ in range(exchange.repeat)]
    assert [(r.method, str(r.url)) for r in requests] == [(e.method, BASE + e.url) for e in expected]
    for request, exchange in zip(requests, expected, strict=True):
        assert request.headers["X-Avala-Api-Key"] == api_key
        if exchange.body is NO_BODY:
            assert request.content == b"" and "content-type" not in request.headers
        else:
            assert request.headers["content-type"] == "application/json"
            assert json.loads(request.content) == exchange.body


@pytest.fixture
def namespace(client: Client, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the snippets may use: the reference's ``client`` plus ``Client``, ``AsyncClient`` and ``os``."""
    monkeypatch.setenv("AVALA_API_KEY", API_KEY)  # for the examples that build their own client
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    return {"client": client, "Client": Client, "AsyncClient": AsyncClient, "os": os}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
async def test_reference_example(
    example: Example, namespace: dict[str, Any], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    expect(httpx_mock, example.exchanges)
    await run(example.code, namespace)
    assert_sent(httpx_mock, example.exchanges)
    example.check(namespace, capsys.readouterr().out)


@pytest.mark.parametrize("branch", ERROR_BRANCHES)
async def test_reference_errors_example(
    branch: str, namespace: dict[str, Any], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    status, headers, body, attempts, output = ERROR_BRANCHES[branch]
    exchanges = [Exchange("GET", "/datasets/nonexistent/", status=status, response=body, headers=headers)]
    exchanges[0].repeat = attempts
    expect(httpx_mock, exchanges)
    await run(ERRORS_IMPORT, namespace)
    await run(ERRORS_TRY, namespace)
    assert_sent(httpx_mock, exchanges)
    assert capsys.readouterr().out.splitlines() == [output]
    assert "dataset" not in namespace  # every branch raised


def test_the_cursor_page_example_stops_on_the_last_page(
    namespace: dict[str, Any], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ``if page.has_more`` branch of the CursorPage example is skipped when ``next`` is null."""
    (example,) = [e for e in EXAMPLES if e.line == 1104]
    exchanges = [get("/datasets/?limit=20", page([DATASET]))]
    expect(httpx_mock, exchanges)
    exec(example.code, namespace)
    assert_sent(httpx_mock, exchanges)
    assert capsys.readouterr().out.splitlines() == ["Training v2", "1 datasets on this page"]
    assert "next_page" not in namespace


# --- the snippets are the reference's, and every documented call has one ------------------------------------------


@pytest.mark.parametrize(("line", "code"), SNIPPETS, ids=[f"L{line}" for line, _ in SNIPPETS])
def test_snippets_are_verbatim(line: int, code: str) -> None:
    """Each snippet, with the re-indentation removed, is the reference's text from ``line`` on."""
    reference = REFERENCE.read_text(encoding="utf-8").splitlines()
    lines = code.splitlines()
    assert [text.lstrip() for text in lines] == reference[line - 1 : line - 1 + len(lines)]
    assert all(text == text.lstrip() or (text.startswith("    ") and text[4] != " ") for text in lines)


def test_every_documented_method_has_its_example_here() -> None:
    """Each ``client.<resource>.<method>()`` heading of the reference is exercised by some snippet above."""
    reference = REFERENCE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^client\.([a-z_]+\.[a-z_]+)\(\)$", reference, flags=re.M))
    assert len(documented) == 83  # the reference documents 83 methods of the 14 resources it lists
    covered = {call for _, code in SNIPPETS for call in re.findall(r"client\.([a-z_]+\.[a-z_]+)\(", code)}
    assert documented <= covered, sorted(documented - covered)
    code_lines = [line for line, _ in SNIPPETS]
    assert len(code_lines) == len(set(code_lines)) == len(EXAMPLES) + 2


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="no shared reference documents beside this checkout")
def test_the_kept_reference_is_the_shared_one() -> None:
    """``tests/data/python-sdk-reference.txt`` is the shared reference document, byte for byte."""
    assert REFERENCE.read_bytes() == SHARED_REFERENCE.read_bytes()
