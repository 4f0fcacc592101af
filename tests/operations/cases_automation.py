"""Cases for agents, inference_providers and auto_label_jobs (catalogue §2.6-§2.8, models §7.4)."""

from __future__ import annotations

from typing import Any

from avala.types import Agent, AgentExecution, AutoLabelJob, InferenceProvider

from .cases_common import at, equals, void_cases
from .cases_core import is_page
from .harness import NO_BODY, Case
from .payloads import (
    AGENT,
    AGENT_EXECUTION,
    AGENT_MINIMAL,
    AUTO_LABEL_JOB,
    AUTO_LABEL_JOB_MINIMAL,
    INFERENCE_PROVIDER,
    PROJECT_UID,
    page,
)

AGENT_UID = AGENT["uid"]
PROVIDER_UID = INFERENCE_PROVIDER["uid"]
JOB_UID = AUTO_LABEL_JOB["uid"]


def check_agent(result: Any) -> None:
    assert isinstance(result, Agent)
    assert result.uid == AGENT_UID and result.name == "QA Bot" and result.description == "Flags low-confidence boxes."
    assert result.events == ["task.completed"] and result.task_types == ["annotation"]
    assert result.callback_url == "https://example.com/webhook" and result.is_active is True
    assert result.project == PROJECT_UID and result.secret == AGENT["secret"]
    assert result.execution_stats == {"total": 12, "succeeded": 11, "failed": 1}
    assert result.created_at == at("2026-02-24T10:15:00Z") and result.updated_at == at("2026-02-24T11:00:00.25Z")
    assert result.updated_at is not None and result.updated_at.microsecond == 250000
    assert AGENT["secret"] not in repr(result)


def check_agent_defaults(result: Any) -> None:
    """Def fields absent from the payload take the model defaults; Opt fields are None."""
    assert isinstance(result, Agent) and result.uid == AGENT_MINIMAL["uid"]
    assert result.events == [] and result.is_active is True and result.task_types == []
    assert result.secret is None and result.execution_stats is None and result.created_at is None
    assert result.additional_properties == {}


def check_execution(result: Any) -> None:
    assert isinstance(result, AgentExecution)
    assert result.uid == AGENT_EXECUTION["uid"] and result.registration == AGENT_UID
    assert result.event_type == "task.completed" and result.status == "completed" and result.action == "approve"
    assert result.event_payload == AGENT_EXECUTION["event_payload"] and result.response_payload == {"ok": True}
    assert result.error_message is None and result.completed_at == at("2026-02-24T10:15:02Z")


def check_provider(result: Any) -> None:
    assert isinstance(result, InferenceProvider)
    assert result.uid == PROVIDER_UID and result.name == "My SageMaker" and result.provider_type == "sagemaker"
    assert result.config == {"endpoint": "my-endpoint", "region": "us-east-1"} and result.is_active is True
    assert result.last_test_success is True and result.last_test_at == at("2026-02-24T09:00:00Z")
    assert result.description is None and result.project is None


def check_job(result: Any) -> None:
    assert isinstance(result, AutoLabelJob)
    assert result.uid == JOB_UID and result.status == "running" and result.model_type == "sam3"
    assert result.confidence_threshold == 0.85 and result.labels == ["car", "truck"] and result.dry_run is False
    assert (result.total_items, result.processed_items, result.successful_items) == (200, 80, 78)
    assert (result.failed_items, result.skipped_items) == (1, 1)
    assert result.progress_pct == 40.0 and result.summary == {"boxes": 312}
    assert result.started_at == at("2026-02-24T10:15:00Z") and result.completed_at is None


def check_job_defaults(result: Any) -> None:
    assert isinstance(result, AutoLabelJob) and result.uid == AUTO_LABEL_JOB_MINIMAL["uid"]
    assert result.labels == [] and result.dry_run is False
    assert (result.total_items, result.processed_items, result.successful_items) == (0, 0, 0)
    assert (result.failed_items, result.skipped_items) == (0, 0) and result.progress_pct is None


AGENTS = [
    Case(
        "agents.list",
        "GET",
        "/agents/?limit=20",
        kwargs={"limit": 20},
        response=page([AGENT, AGENT_MINIMAL], "cD0y", "/agents/"),
        check=lambda r: (is_page(r, Agent, 2, "cD0y"), check_agent(r[0]), check_agent_defaults(r[1])),
    ),
    Case(
        "agents.list",
        "GET",
        "/agents/?limit=0&cursor=cD0y",
        kwargs={"limit": 0, "cursor": "cD0y"},
        response=page([]),
        check=lambda r: is_page(r, Agent, 0, None),
        id="agents.list-limit-0",
    ),
    Case("agents.get", "GET", f"/agents/{AGENT_UID}/", args=(AGENT_UID,), response=AGENT, check=check_agent),
    Case(
        "agents.create",
        "POST",
        "/agents/",
        kwargs={
            "name": "QA Bot",
            "events": ["task.completed"],
            "callback_url": "https://example.com/webhook",
            "task_types": ["annotation"],
        },
        body={
            "name": "QA Bot",
            "events": ["task.completed"],
            "callback_url": "https://example.com/webhook",
            "task_types": ["annotation"],
        },
        status=201,
        response=AGENT,
        check=check_agent,
    ),
    Case(
        "agents.create",
        "POST",
        "/agents/",
        kwargs={
            "name": "Off Bot",
            "events": [],
            "description": "",
            "callback_url": "https://example.com/hook",
            "is_active": False,
            "project": PROJECT_UID,
            "task_types": ["review"],
        },
        body={
            "name": "Off Bot",
            "events": [],
            "description": "",
            "callback_url": "https://example.com/hook",
            "is_active": False,
            "project": PROJECT_UID,
            "task_types": ["review"],
        },
        status=201,
        response=AGENT_MINIMAL,
        check=check_agent_defaults,
        id="agents.create-all-falsy",
    ),
    Case(
        "agents.create",
        "POST",
        "/agents/",
        kwargs={"name": "N"},
        body={"name": "N"},
        status=201,
        response=AGENT,
        check=check_agent,
        id="agents.create-name-only",
    ),
    Case(
        "agents.update",
        "PATCH",
        f"/agents/{AGENT_UID}/",
        args=(AGENT_UID,),
        kwargs={"is_active": False, "callback_url": "https://example.com/new-webhook"},
        body={"is_active": False, "callback_url": "https://example.com/new-webhook"},
        response=AGENT,
        check=check_agent,
    ),
    Case(
        "agents.update",
        "PATCH",
        f"/agents/{AGENT_UID}/",
        args=(AGENT_UID,),
        kwargs={
            "name": "QA Bot 2",
            "events": ["export.ready"],
            "description": "d",
            "callback_url": "https://example.com/x",
            "is_active": True,
            "project": PROJECT_UID,
            "task_types": [],
        },
        body={
            "name": "QA Bot 2",
            "events": ["export.ready"],
            "description": "d",
            "callback_url": "https://example.com/x",
            "is_active": True,
            "project": PROJECT_UID,
            "task_types": [],
        },
        response=AGENT,
        check=check_agent,
        id="agents.update-all",
    ),
    Case(
        "agents.update",
        "PATCH",
        f"/agents/{AGENT_UID}/",
        args=(AGENT_UID,),
        body={},
        response=AGENT,
        check=check_agent,
        id="agents.update-empty",
    ),
    *void_cases("agents.delete", "DELETE", f"/agents/{AGENT_UID}/", args=(AGENT_UID,)),
    Case(
        "agents.list_executions",
        "GET",
        f"/agents/{AGENT_UID}/executions/?limit=50",
        args=(AGENT_UID,),
        kwargs={"limit": 50},
        response=page([AGENT_EXECUTION], "ZXg", f"/agents/{AGENT_UID}/executions/"),
        check=lambda r: (is_page(r, AgentExecution, 1, "ZXg"), check_execution(r[0])),
    ),
    Case(
        "agents.test",
        "POST",
        f"/agents/{AGENT_UID}/test/",
        args=(AGENT_UID,),
        body=NO_BODY,
        response={"success": True},
        check=lambda r: equals(r, {"success": True}),
    ),
]

INFERENCE_PROVIDERS = [
    Case(
        "inference_providers.list",
        "GET",
        "/inference-providers/",
        response=page([INFERENCE_PROVIDER]),
        check=lambda r: (is_page(r, InferenceProvider, 1, None), check_provider(r[0])),
    ),
    Case(
        "inference_providers.list",
        "GET",
        "/inference-providers/?limit=5&cursor=abc",
        kwargs={"limit": 5, "cursor": "abc"},
        response=page([INFERENCE_PROVIDER], "def", "/inference-providers/"),
        check=lambda r: is_page(r, InferenceProvider, 1, "def"),
        id="inference_providers.list-paged",
    ),
    Case(
        "inference_providers.get",
        "GET",
        f"/inference-providers/{PROVIDER_UID}/",
        args=(PROVIDER_UID,),
        response=INFERENCE_PROVIDER,
        check=check_provider,
    ),
    Case(
        "inference_providers.create",
        "POST",
        "/inference-providers/",
        kwargs={
            "name": "My SageMaker",
            "provider_type": "sagemaker",
            "config": {"endpoint": "my-endpoint", "region": "us-east-1"},
        },
        body={
            "name": "My SageMaker",
            "provider_type": "sagemaker",
            "config": {"endpoint": "my-endpoint", "region": "us-east-1"},
        },
        status=201,
        response=INFERENCE_PROVIDER,
        check=check_provider,
    ),
    Case(
        "inference_providers.create",
        "POST",
        "/inference-providers/",
        kwargs={
            "name": "HTTP model",
            "provider_type": "http",
            "config": {},
            "description": "Staging model",
            "is_active": False,
            "project": PROJECT_UID,
        },
        body={
            "name": "HTTP model",
            "provider_type": "http",
            "config": {},
            "description": "Staging model",
            "is_active": False,
            "project": PROJECT_UID,
        },
        status=201,
        response=INFERENCE_PROVIDER,
        check=check_provider,
        id="inference_providers.create-all",
    ),
    Case(
        "inference_providers.update",
        "PATCH",
        f"/inference-providers/{PROVIDER_UID}/",
        args=(PROVIDER_UID,),
        kwargs={"is_active": False},
        body={"is_active": False},
        response=INFERENCE_PROVIDER,
        check=check_provider,
    ),
    Case(
        "inference_providers.update",
        "PATCH",
        f"/inference-providers/{PROVIDER_UID}/",
        args=(PROVIDER_UID,),
        kwargs={
            "name": "n",
            "description": "d",
            "provider_type": "http",
            "config": {"url": "https://models.example.com"},
            "is_active": True,
            "project": PROJECT_UID,
        },
        body={
            "name": "n",
            "description": "d",
            "provider_type": "http",
            "config": {"url": "https://models.example.com"},
            "is_active": True,
            "project": PROJECT_UID,
        },
        response=INFERENCE_PROVIDER,
        check=check_provider,
        id="inference_providers.update-all",
    ),
    Case(
        "inference_providers.update",
        "PATCH",
        f"/inference-providers/{PROVIDER_UID}/",
        args=(PROVIDER_UID,),
        body={},
        response=INFERENCE_PROVIDER,
        check=check_provider,
        id="inference_providers.update-empty",
    ),
    *void_cases("inference_providers.delete", "DELETE", f"/inference-providers/{PROVIDER_UID}/", args=(PROVIDER_UID,)),
    Case(
        "inference_providers.test",
        "POST",
        f"/inference-providers/{PROVIDER_UID}/test/",
        args=(PROVIDER_UID,),
        body=NO_BODY,
        response={"success": True, "message": "Connection successful", "tested_at": "2026-02-24T10:15:00Z"},
        # A raw dict: returned as decoded, the date-time string is not parsed.
        check=lambda r: equals(
            r, {"success": True, "message": "Connection successful", "tested_at": "2026-02-24T10:15:00Z"}
        ),
    ),
]

AUTO_LABEL_JOBS = [
    Case(
        "auto_label_jobs.list",
        "GET",
        "/auto-label-jobs/?project=proj_uid&limit=20",
        kwargs={"project": "proj_uid", "limit": 20},
        response=page([AUTO_LABEL_JOB, AUTO_LABEL_JOB_MINIMAL], "bmV4dA", "/auto-label-jobs/"),
        check=lambda r: (is_page(r, AutoLabelJob, 2, "bmV4dA"), check_job(r[0]), check_job_defaults(r[1])),
    ),
    Case(
        "auto_label_jobs.list",
        "GET",
        "/auto-label-jobs/",
        response=page([]),
        check=lambda r: is_page(r, AutoLabelJob, 0, None),
        id="auto_label_jobs.list-no-query",
    ),
    Case(
        "auto_label_jobs.get",
        "GET",
        f"/auto-label-jobs/{JOB_UID}/",
        args=(JOB_UID,),
        response=AUTO_LABEL_JOB,
        check=check_job,
    ),
    Case(
        "auto_label_jobs.create",
        "POST",
        "/projects/proj_uid/auto-label/",
        args=("proj_uid",),
        kwargs={"model_type": "sam3", "confidence_threshold": 0.85, "labels": ["car", "truck"]},
        body={"model_type": "sam3", "confidence_threshold": 0.85, "labels": ["car", "truck"]},
        status=201,
        response=AUTO_LABEL_JOB,
        check=check_job,
    ),
    Case(
        "auto_label_jobs.create",
        "POST",
        f"/projects/{PROJECT_UID}/auto-label/",
        args=(PROJECT_UID,),
        kwargs={"model_type": "yolo", "confidence_threshold": 0.0, "labels": [], "dry_run": False},
        body={"model_type": "yolo", "confidence_threshold": 0.0, "labels": [], "dry_run": False},
        status=201,
        response=AUTO_LABEL_JOB_MINIMAL,
        check=check_job_defaults,
        id="auto_label_jobs.create-falsy",
    ),
    Case(
        "auto_label_jobs.create",
        "POST",
        "/projects/proj_uid/auto-label/",
        args=("proj_uid",),
        body={},
        status=201,
        response=AUTO_LABEL_JOB,
        check=check_job,
        id="auto_label_jobs.create-empty",
    ),
    # "Cancel" is a DELETE on the job (catalogue §3 item 2).
    *void_cases("auto_label_jobs.cancel", "DELETE", f"/auto-label-jobs/{JOB_UID}/", args=(JOB_UID,)),
]

CASES = [*AGENTS, *INFERENCE_PROVIDERS, *AUTO_LABEL_JOBS]
