"""Cases for annotation_issues (catalogue §2.15, models §7.9)."""

from __future__ import annotations

from typing import Any

from avala.types import (
    AnnotationIssue,
    AnnotationIssueMetrics,
    AnnotationIssueProblem,
    AnnotationIssueProject,
    AnnotationIssueReporter,
    AnnotationIssueTool,
    AnnotationIssueToolDetail,
    AnnotationIssueToolProblem,
)

from .cases_common import at, is_models, void_cases
from .harness import Case
from .payloads import (
    ANNOTATION_ISSUE,
    ANNOTATION_ISSUE_METRICS,
    ANNOTATION_ISSUE_MINIMAL,
    ANNOTATION_ISSUE_TOOL_DETAIL,
    PROJECT_UID,
    SEQUENCE_UID,
)

ISSUES = f"/sequences/{SEQUENCE_UID}/annotation-issues/"
ISSUE_UID = ANNOTATION_ISSUE["uid"]
TOOL_UID = "a06c526b-13de-4f50-81a2-b3c4d5e6f708"
PROBLEM_UID = "b17d637c-24ef-4061-92b3-c4d5e6f70819"
ITEM_UID = ANNOTATION_ISSUE["dataset_item_uid"]


def check_issue(result: Any) -> None:
    assert isinstance(result, AnnotationIssue)
    assert result.uid == ISSUE_UID and result.dataset_item_uid == ITEM_UID and result.sequence_uid == SEQUENCE_UID
    assert isinstance(result.project, AnnotationIssueProject)
    assert (result.project.uid, result.project.name) == (PROJECT_UID, "Highway QA")
    assert isinstance(result.reporter, AnnotationIssueReporter)
    assert result.reporter.username == "jdoe" and result.reporter.is_staff is False and result.reporter.picture is None
    assert isinstance(result.tool, AnnotationIssueTool)
    assert (result.tool.uid, result.tool.name, result.tool.default) == (TOOL_UID, "Cuboid", True)
    assert isinstance(result.problem, AnnotationIssueProblem)
    assert (result.problem.uid, result.problem.title) == (PROBLEM_UID, "Wrong class")
    assert result.priority == "high" and result.severity == "major" and result.status == "open"
    assert result.wrong_class == "car" and result.correct_class == "truck"
    assert result.should_re_annotate is True and result.should_delete is False and result.frames_affected == "40-44"
    assert result.coordinates == [12.5, 40.25, 3.0] and result.query_params == {"frame": 40}
    assert result.created_at == at("2026-02-24T10:15:00Z") and result.closed_at is None
    assert result.object_uid == "c28e748d-35f0-4172-a3c4-d5e6f708192a"
    assert result.additional_properties == {"assignee": "rsmith"}


def check_issue_minimal(result: Any) -> None:
    assert isinstance(result, AnnotationIssue) and result.uid == ANNOTATION_ISSUE_MINIMAL["uid"]
    assert result.project is None and result.reporter is None and result.tool is None and result.problem is None
    assert result.coordinates is None and result.additional_properties == {}


def check_metrics(result: Any) -> None:
    assert isinstance(result, AnnotationIssueMetrics)
    assert result.status_count == {"open": 4, "resolved": 10} and result.priority_count == {"high": 2, "low": 12}
    assert result.severity_count == {"major": 3, "minor": 11}
    assert result.mean_seconds_close_time_all == 86400 and result.mean_seconds_close_time_customer == 43200
    assert result.mean_unresolved_issue_age_all == 7200 and result.mean_unresolved_issue_age_customer is None
    assert result.object_count_by_annotation_issue_problem_uid == [{"problem_uid": "b17d637c", "count": 3}]


def check_empty_metrics(result: Any) -> None:
    assert isinstance(result, AnnotationIssueMetrics)
    assert result.status_count is None and result.mean_seconds_close_time_all is None


def check_tools(result: Any) -> None:
    is_models(result, AnnotationIssueToolDetail, 1)
    tool = result[0]
    assert tool.uid == TOOL_UID and tool.name == "Cuboid" and tool.dataset_type == "lidar" and tool.default is True
    assert tool.problems is not None and len(tool.problems) == 2
    assert all(isinstance(problem, AnnotationIssueToolProblem) for problem in tool.problems)
    assert [problem.title for problem in tool.problems] == ["Wrong class", "Missing object"]


CASES = [
    Case(
        "annotation_issues.list_by_sequence",
        "GET",
        ISSUES,
        args=(SEQUENCE_UID,),
        response=[ANNOTATION_ISSUE, ANNOTATION_ISSUE_MINIMAL],
        check=lambda r: (is_models(r, AnnotationIssue, 2), check_issue(r[0]), check_issue_minimal(r[1])),
    ),
    Case(
        "annotation_issues.list_by_sequence",
        "GET",
        f"{ISSUES}?dataset_item_uid={ITEM_UID}&project_uid={PROJECT_UID}",
        args=(SEQUENCE_UID,),
        kwargs={"dataset_item_uid": ITEM_UID, "project_uid": PROJECT_UID},
        response=[],
        check=lambda r: is_models(r, AnnotationIssue, 0),
        id="annotation_issues.list_by_sequence-filters",
    ),
    # The path's sequence_uid is copied into the body (catalogue §3 item 3).
    Case(
        "annotation_issues.create",
        "POST",
        ISSUES,
        args=(SEQUENCE_UID,),
        kwargs={"tool_uid": TOOL_UID, "problem_uid": PROBLEM_UID},
        body={"tool_uid": TOOL_UID, "problem_uid": PROBLEM_UID, "sequence_uid": SEQUENCE_UID},
        status=201,
        response=ANNOTATION_ISSUE,
        check=check_issue,
    ),
    Case(
        "annotation_issues.create",
        "POST",
        ISSUES,
        args=(SEQUENCE_UID,),
        kwargs={
            "tool_uid": TOOL_UID,
            "problem_uid": PROBLEM_UID,
            "dataset_item_uid": ITEM_UID,
            "project_uid": PROJECT_UID,
            "priority": "high",
            "severity": "major",
            "description": "Truck labelled as car in frames 40-44.",
            "wrong_class": "car",
            "correct_class": "truck",
            "should_re_annotate": True,
            "should_delete": False,
            "frames_affected": "40-44",
            "coordinates": [12.5, 40.25, 3.0],
            "query_params": {"frame": 40},
            "object_uid": "c28e748d-35f0-4172-a3c4-d5e6f708192a",
        },
        body={
            "tool_uid": TOOL_UID,
            "problem_uid": PROBLEM_UID,
            "sequence_uid": SEQUENCE_UID,
            "dataset_item_uid": ITEM_UID,
            "project_uid": PROJECT_UID,
            "priority": "high",
            "severity": "major",
            "description": "Truck labelled as car in frames 40-44.",
            "wrong_class": "car",
            "correct_class": "truck",
            "should_re_annotate": True,
            "should_delete": False,
            "frames_affected": "40-44",
            "coordinates": [12.5, 40.25, 3.0],
            "query_params": {"frame": 40},
            "object_uid": "c28e748d-35f0-4172-a3c4-d5e6f708192a",
        },
        status=201,
        response=ANNOTATION_ISSUE,
        check=check_issue,
        id="annotation_issues.create-all",
    ),
    Case(
        "annotation_issues.update",
        "PATCH",
        f"{ISSUES}{ISSUE_UID}/",
        args=(SEQUENCE_UID, ISSUE_UID),
        kwargs={"status": "resolved"},
        body={"status": "resolved"},
        response=ANNOTATION_ISSUE,
        check=check_issue,
    ),
    Case(
        "annotation_issues.update",
        "PATCH",
        f"{ISSUES}{ISSUE_UID}/",
        args=(SEQUENCE_UID, ISSUE_UID),
        kwargs={
            "status": "closed",
            "priority": "low",
            "severity": "minor",
            "description": "",
            "tool_uid": TOOL_UID,
            "problem_uid": PROBLEM_UID,
            "wrong_class": "van",
            "frames_affected": "1",
        },
        body={
            "status": "closed",
            "priority": "low",
            "severity": "minor",
            "description": "",
            "tool_uid": TOOL_UID,
            "problem_uid": PROBLEM_UID,
            "wrong_class": "van",
            "frames_affected": "1",
        },
        response=ANNOTATION_ISSUE_MINIMAL,
        check=check_issue_minimal,
        id="annotation_issues.update-all",
    ),
    Case(
        "annotation_issues.update",
        "PATCH",
        f"{ISSUES}{ISSUE_UID}/",
        args=(SEQUENCE_UID, ISSUE_UID),
        body={},
        response=ANNOTATION_ISSUE,
        check=check_issue,
        id="annotation_issues.update-empty",
    ),
    *void_cases("annotation_issues.delete", "DELETE", f"{ISSUES}{ISSUE_UID}/", args=(SEQUENCE_UID, ISSUE_UID)),
    Case(
        "annotation_issues.list_by_dataset",
        "GET",
        f"/datasets/acme-ai/training-v2/annotation-issues/?sequence_uid={SEQUENCE_UID}",
        args=("acme-ai", "training-v2"),
        kwargs={"sequence_uid": SEQUENCE_UID},
        response=[ANNOTATION_ISSUE],
        check=lambda r: (is_models(r, AnnotationIssue, 1), check_issue(r[0])),
    ),
    Case(
        "annotation_issues.list_by_dataset",
        "GET",
        "/datasets/acme-ai/training-v2/annotation-issues/",
        args=("acme-ai", "training-v2"),
        response=[],
        check=lambda r: is_models(r, AnnotationIssue, 0),
        id="annotation_issues.list_by_dataset-no-query",
    ),
    Case(
        "annotation_issues.get_metrics",
        "GET",
        "/datasets/acme-ai/training-v2/annotation-issues/metrics/",
        args=("acme-ai", "training-v2"),
        response=ANNOTATION_ISSUE_METRICS,
        check=check_metrics,
    ),
    Case(
        "annotation_issues.get_metrics",
        "GET",
        f"/datasets/acme-ai/training-v2/annotation-issues/metrics/?sequence_uid={SEQUENCE_UID}",
        args=("acme-ai", "training-v2"),
        kwargs={"sequence_uid": SEQUENCE_UID},
        response={},
        check=check_empty_metrics,
        id="annotation_issues.get_metrics-sequence",
    ),
    Case(
        "annotation_issues.list_tools",
        "GET",
        "/qc-available-tools/?dataset_type=lidar",
        kwargs={"dataset_type": "lidar"},
        response=[ANNOTATION_ISSUE_TOOL_DETAIL],
        check=check_tools,
    ),
    # dataset_type is required and always sent, even when empty.
    Case(
        "annotation_issues.list_tools",
        "GET",
        "/qc-available-tools/?dataset_type=",
        kwargs={"dataset_type": ""},
        response=[],
        check=lambda r: is_models(r, AnnotationIssueToolDetail, 0),
        id="annotation_issues.list_tools-empty-type",
    ),
]
