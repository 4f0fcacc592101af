"""Cases for quality_targets and consensus, both project-scoped (catalogue §2.9-§2.10, models §7.5)."""

from __future__ import annotations

from typing import Any

from avala.types import (
    ConsensusComputeResult,
    ConsensusConfig,
    ConsensusScore,
    ConsensusSummary,
    QualityTarget,
    QualityTargetEvaluation,
)

from .cases_common import at, is_models, void_cases
from .cases_core import is_page
from .harness import NO_BODY, Case
from .payloads import (
    CONSENSUS_COMPUTE_RESULT,
    CONSENSUS_CONFIG,
    CONSENSUS_SCORE,
    CONSENSUS_SUMMARY,
    PROJECT_UID,
    QUALITY_TARGET,
    QUALITY_TARGET_EVALUATION,
    QUALITY_TARGET_MINIMAL,
    page,
)

TARGET_UID = QUALITY_TARGET["uid"]
TARGETS = f"/projects/{PROJECT_UID}/quality-targets/"
CONSENSUS = f"/projects/{PROJECT_UID}/consensus/"


def check_target(result: Any) -> None:
    assert isinstance(result, QualityTarget)
    assert result.uid == TARGET_UID and result.name == "Accuracy Target" and result.metric == "accuracy"
    assert result.operator == "gte" and result.threshold == 0.95 and result.severity == "critical"
    assert result.is_active is True and result.notify_webhook is True and result.notify_emails == ["alerts@example.com"]
    assert result.last_value == 0.97 and result.is_breached is False and result.breach_count == 2
    assert result.last_evaluated_at == at("2026-02-24T10:15:00Z")
    assert result.last_breached_at == at("2026-02-20T08:00:00Z")


def check_target_defaults(result: Any) -> None:
    assert isinstance(result, QualityTarget) and result.uid == QUALITY_TARGET_MINIMAL["uid"]
    assert result.operator == "gt" and result.threshold == 1 and result.severity is None
    assert result.is_active is True and result.notify_webhook is True and result.notify_emails == []
    assert result.is_breached is False and result.breach_count == 0 and result.last_value is None


def check_evaluations(result: Any) -> None:
    is_models(result, QualityTargetEvaluation, 2)
    first, second = result
    assert first.uid == TARGET_UID and first.current_value == 0.91 and first.is_breached is True
    assert first.operator == "gte" and first.threshold == 0.95 and first.severity == "critical"
    assert second.severity is None and second.is_breached is False and second.current_value == 0.5


def check_summary(result: Any) -> None:
    assert isinstance(result, ConsensusSummary)
    assert (result.mean_score, result.median_score, result.min_score, result.max_score) == (0.82, 0.85, 0.4, 1.0)
    assert result.total_items == 120 and result.items_with_consensus == 96
    assert result.score_distribution == {"0.8-0.9": 40, "0.9-1.0": 56}
    assert result.by_task_name == [{"task_name": "Frame 1", "mean_score": 0.8}]


def check_empty_summary(result: Any) -> None:
    """An empty project still answers numbers; the Opt fields are None."""
    assert isinstance(result, ConsensusSummary)
    assert result.mean_score == 0 and result.total_items == 0 and result.items_with_consensus == 0
    assert result.score_distribution is None and result.by_task_name is None


def check_score(result: Any) -> None:
    assert isinstance(result, ConsensusScore)
    assert result.uid == CONSENSUS_SCORE["uid"] and result.dataset_item_uid == "item-0001"
    assert result.task_name == "Frame 1" and result.score_type == "iou" and result.score == 0.87
    assert result.annotator_count == 3 and result.details == {"pairs": 3}
    assert result.created_at == at("2026-02-24T10:15:00Z")


def check_config(result: Any) -> None:
    assert isinstance(result, ConsensusConfig) and result.uid == CONSENSUS_CONFIG["uid"]
    assert (result.iou_threshold, result.min_agreement_ratio, result.min_annotations) == (0.7, 0.8, 3)
    assert result.updated_at == at("2026-02-24T10:15:00Z")


def check_config_defaults(result: Any) -> None:
    assert isinstance(result, ConsensusConfig) and result.uid == "cfg-min"
    assert (result.iou_threshold, result.min_agreement_ratio, result.min_annotations) == (0.5, 0.5, 2)
    assert result.created_at is None and result.additional_properties == {"project": PROJECT_UID}


def check_compute(result: Any) -> None:
    assert isinstance(result, ConsensusComputeResult)
    assert result.status == "started" and result.message == "Consensus computation started."


SECOND_EVALUATION = {
    **QUALITY_TARGET_EVALUATION,
    "uid": "9a000000-0001-4000-8000-000000000003",
    "current_value": 0.5,
    "is_breached": False,
    "severity": None,
}

QUALITY_TARGETS = [
    Case(
        "quality_targets.list",
        "GET",
        TARGETS,
        args=(PROJECT_UID,),
        response=page([QUALITY_TARGET, QUALITY_TARGET_MINIMAL], "cXQ", TARGETS),
        check=lambda r: (is_page(r, QualityTarget, 2, "cXQ"), check_target(r[0]), check_target_defaults(r[1])),
    ),
    Case(
        "quality_targets.list",
        "GET",
        "/projects/proj_uid/quality-targets/?limit=10&cursor=cXQ",
        args=("proj_uid",),
        kwargs={"limit": 10, "cursor": "cXQ"},
        response=page([]),
        check=lambda r: is_page(r, QualityTarget, 0, None),
        id="quality_targets.list-paged",
    ),
    Case(
        "quality_targets.get",
        "GET",
        f"{TARGETS}{TARGET_UID}/",
        args=(PROJECT_UID, TARGET_UID),
        response=QUALITY_TARGET,
        check=check_target,
    ),
    Case(
        "quality_targets.create",
        "POST",
        TARGETS,
        args=(PROJECT_UID,),
        kwargs={
            "name": "Accuracy Target",
            "metric": "accuracy",
            "threshold": 0.95,
            "operator": "gte",
            "severity": "critical",
            "notify_webhook": True,
            "notify_emails": ["alerts@example.com"],
        },
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
        check=check_target,
    ),
    Case(
        "quality_targets.create",
        "POST",
        TARGETS,
        args=(PROJECT_UID,),
        kwargs={"name": "Recall", "metric": "recall", "threshold": 0},
        body={"name": "Recall", "metric": "recall", "threshold": 0},
        status=201,
        response=QUALITY_TARGET_MINIMAL,
        check=check_target_defaults,
        id="quality_targets.create-required-only",
    ),
    Case(
        "quality_targets.create",
        "POST",
        TARGETS,
        args=(PROJECT_UID,),
        kwargs={
            "name": "Quiet",
            "metric": "iou",
            "threshold": 0.5,
            "is_active": False,
            "notify_webhook": False,
            "notify_emails": [],
        },
        body={
            "name": "Quiet",
            "metric": "iou",
            "threshold": 0.5,
            "is_active": False,
            "notify_webhook": False,
            "notify_emails": [],
        },
        status=201,
        response=QUALITY_TARGET,
        check=check_target,
        id="quality_targets.create-falsy",
    ),
    Case(
        "quality_targets.update",
        "PATCH",
        "/projects/proj_uid/quality-targets/target_uid/",
        args=("proj_uid", "target_uid"),
        kwargs={"threshold": 0.9},
        body={"threshold": 0.9},
        response=QUALITY_TARGET,
        check=check_target,
    ),
    Case(
        "quality_targets.update",
        "PATCH",
        f"{TARGETS}{TARGET_UID}/",
        args=(PROJECT_UID, TARGET_UID),
        kwargs={
            "name": "n",
            "metric": "m",
            "threshold": 1.0,
            "operator": "lte",
            "severity": "warning",
            "is_active": False,
            "notify_webhook": False,
            "notify_emails": ["a@example.com", "b@example.com"],
        },
        body={
            "name": "n",
            "metric": "m",
            "threshold": 1.0,
            "operator": "lte",
            "severity": "warning",
            "is_active": False,
            "notify_webhook": False,
            "notify_emails": ["a@example.com", "b@example.com"],
        },
        response=QUALITY_TARGET,
        check=check_target,
        id="quality_targets.update-all",
    ),
    Case(
        "quality_targets.update",
        "PATCH",
        f"{TARGETS}{TARGET_UID}/",
        args=(PROJECT_UID, TARGET_UID),
        body={},
        response=QUALITY_TARGET,
        check=check_target,
        id="quality_targets.update-empty",
    ),
    *void_cases("quality_targets.delete", "DELETE", f"{TARGETS}{TARGET_UID}/", args=(PROJECT_UID, TARGET_UID)),
    # evaluate: a POST with no body whose answer is a bare JSON array (catalogue §2.9).
    Case(
        "quality_targets.evaluate",
        "POST",
        f"{TARGETS}evaluate/",
        args=(PROJECT_UID,),
        body=NO_BODY,
        response=[QUALITY_TARGET_EVALUATION, SECOND_EVALUATION],
        check=check_evaluations,
    ),
    Case(
        "quality_targets.evaluate",
        "POST",
        "/projects/proj_uid/quality-targets/evaluate/",
        args=("proj_uid",),
        body=NO_BODY,
        response=[],
        check=lambda r: is_models(r, QualityTargetEvaluation, 0),
        id="quality_targets.evaluate-empty",
    ),
]

CONSENSUS_CASES = [
    Case(
        "consensus.get_summary",
        "GET",
        CONSENSUS,
        args=(PROJECT_UID,),
        response=CONSENSUS_SUMMARY,
        check=check_summary,
    ),
    Case(
        "consensus.get_summary",
        "GET",
        "/projects/proj_uid/consensus/",
        args=("proj_uid",),
        response={
            "mean_score": 0,
            "median_score": 0,
            "min_score": 0,
            "max_score": 0,
            "total_items": 0,
            "items_with_consensus": 0,
        },
        check=check_empty_summary,
        id="consensus.get_summary-empty-project",
    ),
    Case(
        "consensus.list_scores",
        "GET",
        f"{CONSENSUS}scores/?limit=50",
        args=(PROJECT_UID,),
        kwargs={"limit": 50},
        response=page([CONSENSUS_SCORE], "c2M", f"{CONSENSUS}scores/"),
        check=lambda r: (is_page(r, ConsensusScore, 1, "c2M"), check_score(r[0])),
    ),
    Case(
        "consensus.compute",
        "POST",
        f"{CONSENSUS}compute/",
        args=(PROJECT_UID,),
        body=NO_BODY,
        response=CONSENSUS_COMPUTE_RESULT,
        check=check_compute,
    ),
    Case(
        "consensus.get_config",
        "GET",
        f"{CONSENSUS}config/",
        args=(PROJECT_UID,),
        response=CONSENSUS_CONFIG,
        check=check_config,
    ),
    Case(
        "consensus.get_config",
        "GET",
        f"{CONSENSUS}config/",
        args=(PROJECT_UID,),
        response={"uid": "cfg-min", "project": PROJECT_UID},
        check=check_config_defaults,
        id="consensus.get_config-defaults",
    ),
    # The only PUT of the API; None fields are still dropped (catalogue §2.10).
    Case(
        "consensus.update_config",
        "PUT",
        f"{CONSENSUS}config/",
        args=(PROJECT_UID,),
        kwargs={"iou_threshold": 0.7, "min_agreement_ratio": 0.8, "min_annotations": 3},
        body={"iou_threshold": 0.7, "min_agreement_ratio": 0.8, "min_annotations": 3},
        response=CONSENSUS_CONFIG,
        check=check_config,
    ),
    Case(
        "consensus.update_config",
        "PUT",
        f"{CONSENSUS}config/",
        args=(PROJECT_UID,),
        kwargs={"iou_threshold": 0.0},
        body={"iou_threshold": 0.0},
        response=CONSENSUS_CONFIG,
        check=check_config,
        id="consensus.update_config-partial",
    ),
    Case(
        "consensus.update_config",
        "PUT",
        f"{CONSENSUS}config/",
        args=(PROJECT_UID,),
        body={},
        response=CONSENSUS_CONFIG,
        check=check_config,
        id="consensus.update_config-empty",
    ),
]

CASES = [*QUALITY_TARGETS, *CONSENSUS_CASES]
