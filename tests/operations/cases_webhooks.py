"""Cases for webhooks and webhook_deliveries (catalogue §2.11-§2.12, models §7.6)."""

from __future__ import annotations

from typing import Any

from avala.types import Webhook, WebhookDelivery

from .cases_common import at, equals, void_cases
from .cases_core import is_page
from .harness import NO_BODY, Case
from .payloads import WEBHOOK, WEBHOOK_DELIVERY, page

HOOK_UID = WEBHOOK["uid"]
DELIVERY_UID = WEBHOOK_DELIVERY["uid"]
WEBHOOK_MINIMAL = {"uid": "b0000000-0001-4000-8000-000000000002", "target_url": "https://example.com/other"}
DELIVERY_MINIMAL = {
    "uid": "b0000000-0002-4000-8000-000000000002",
    "subscription": HOOK_UID,
    "event_type": "task.completed",
    "retry_policy": "exponential",  # unknown to the model
}


def check_webhook(result: Any) -> None:
    assert isinstance(result, Webhook)
    assert result.uid == HOOK_UID and result.target_url == "https://example.com/webhook"
    assert result.events == ["task.completed", "export.ready"] and result.is_active is True
    assert result.secret == WEBHOOK["secret"] and WEBHOOK["secret"] not in repr(result)
    assert result.created_at == at("2026-02-24T10:15:00Z")


def check_webhook_defaults(result: Any) -> None:
    assert isinstance(result, Webhook) and result.uid == WEBHOOK_MINIMAL["uid"]
    assert result.events == [] and result.is_active is True and result.secret is None and result.updated_at is None


def check_delivery(result: Any) -> None:
    assert isinstance(result, WebhookDelivery)
    assert result.uid == DELIVERY_UID and result.subscription == HOOK_UID and result.event_type == "export.ready"
    assert result.payload == {"export_uid": "exp-01"} and result.response_status == 200
    assert result.response_body == "ok" and result.attempts == 1 and result.next_retry_at is None
    assert result.status == "delivered" and result.updated_at == at("2026-02-24T10:15:00Z")


def check_delivery_defaults(result: Any) -> None:
    assert isinstance(result, WebhookDelivery) and result.uid == DELIVERY_MINIMAL["uid"]
    assert result.attempts == 0 and result.payload is None and result.status is None
    assert result.additional_properties == {"retry_policy": "exponential"}


WEBHOOKS = [
    Case(
        "webhooks.list",
        "GET",
        "/webhooks/",
        response=page([WEBHOOK, WEBHOOK_MINIMAL], "d2g", "/webhooks/"),
        check=lambda r: (is_page(r, Webhook, 2, "d2g"), check_webhook(r[0]), check_webhook_defaults(r[1])),
    ),
    Case(
        "webhooks.list",
        "GET",
        "/webhooks/?limit=100&cursor=d2g",
        kwargs={"limit": 100, "cursor": "d2g"},
        response=page([]),
        check=lambda r: is_page(r, Webhook, 0, None),
        id="webhooks.list-paged",
    ),
    Case("webhooks.get", "GET", f"/webhooks/{HOOK_UID}/", args=(HOOK_UID,), response=WEBHOOK, check=check_webhook),
    Case(
        "webhooks.create",
        "POST",
        "/webhooks/",
        kwargs={
            "target_url": "https://example.com/webhook",
            "events": ["task.completed", "export.ready"],
            "is_active": True,
        },
        body={
            "target_url": "https://example.com/webhook",
            "events": ["task.completed", "export.ready"],
            "is_active": True,
        },
        status=201,
        response=WEBHOOK,
        check=check_webhook,
    ),
    Case(
        "webhooks.create",
        "POST",
        "/webhooks/",
        kwargs={"target_url": "https://example.com/w", "events": [], "is_active": False, "secret": "s3cr3t"},
        body={"target_url": "https://example.com/w", "events": [], "is_active": False, "secret": "s3cr3t"},
        status=201,
        response=WEBHOOK_MINIMAL,
        check=check_webhook_defaults,
        id="webhooks.create-all",
    ),
    Case(
        "webhooks.create",
        "POST",
        "/webhooks/",
        kwargs={"target_url": "https://example.com/w", "events": ["task.completed"]},
        body={"target_url": "https://example.com/w", "events": ["task.completed"]},
        status=201,
        response=WEBHOOK,
        check=check_webhook,
        id="webhooks.create-required-only",
    ),
    Case(
        "webhooks.update",
        "PATCH",
        f"/webhooks/{HOOK_UID}/",
        args=(HOOK_UID,),
        kwargs={"is_active": False},
        body={"is_active": False},
        response=WEBHOOK,
        check=check_webhook,
    ),
    Case(
        "webhooks.update",
        "PATCH",
        f"/webhooks/{HOOK_UID}/",
        args=(HOOK_UID,),
        kwargs={"target_url": "https://example.com/new", "events": ["export.ready"], "is_active": True},
        body={"target_url": "https://example.com/new", "events": ["export.ready"], "is_active": True},
        response=WEBHOOK,
        check=check_webhook,
        id="webhooks.update-all",
    ),
    Case(
        "webhooks.update",
        "PATCH",
        f"/webhooks/{HOOK_UID}/",
        args=(HOOK_UID,),
        body={},
        response=WEBHOOK,
        check=check_webhook,
        id="webhooks.update-empty",
    ),
    *void_cases("webhooks.delete", "DELETE", f"/webhooks/{HOOK_UID}/", args=(HOOK_UID,)),
    Case(
        "webhooks.test",
        "POST",
        f"/webhooks/{HOOK_UID}/test/",
        args=(HOOK_UID,),
        body=NO_BODY,
        response={"success": True},
        check=lambda r: equals(r, {"success": True}),
    ),
]

WEBHOOK_DELIVERIES = [
    Case(
        "webhook_deliveries.list",
        "GET",
        "/webhook-deliveries/?limit=20",
        kwargs={"limit": 20},
        response=page([WEBHOOK_DELIVERY, DELIVERY_MINIMAL], "ZGw", "/webhook-deliveries/"),
        check=lambda r: (is_page(r, WebhookDelivery, 2, "ZGw"), check_delivery(r[0]), check_delivery_defaults(r[1])),
    ),
    Case(
        "webhook_deliveries.get",
        "GET",
        f"/webhook-deliveries/{DELIVERY_UID}/",
        args=(DELIVERY_UID,),
        response=WEBHOOK_DELIVERY,
        check=check_delivery,
    ),
]

CASES = [*WEBHOOKS, *WEBHOOK_DELIVERIES]
