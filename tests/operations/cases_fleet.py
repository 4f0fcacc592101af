"""Cases for fleet.devices, recordings, events, rules, alerts and alert_channels (catalogue §2.16, models §7.10).

The list filters keep the published Python names and are sent under the wire names: ``device_id`` -> ``device``,
``recording_id`` -> ``recording``, ``rule_id`` -> ``rule``.
"""

from __future__ import annotations

from typing import Any

from avala.types import Alert, AlertChannel, Device, FleetEvent, Recording, Rule

from .cases_common import at, equals, void_cases
from .cases_core import is_page
from .harness import NO_BODY, Case
from .payloads import (
    ALERT,
    ALERT_CHANNEL,
    DEVICE,
    DEVICE_MINIMAL,
    DEVICE_UID,
    FLEET_EVENT,
    RECORDING,
    RECORDING_MINIMAL,
    RECORDING_UID,
    RULE,
    RULE_MINIMAL,
    RULE_UID,
    page,
)

EVENT_UID = FLEET_EVENT["uid"]
ALERT_UID = ALERT["uid"]
CHANNEL_UID = ALERT_CHANNEL["uid"]
NOTE = "Driver coached; sensor calibration verified."
BATCH = [
    {
        "recording": RECORDING_UID,
        "device": DEVICE_UID,
        "label": "hard_brake",
        "type": "warning",
        "timestamp": "2026-02-23T22:14:07Z",
        "severity": "warning",
        "duration_ms": 1200,
        "tags": ["braking"],
        "metadata": {"decel_g": 0.64},
    },
    # Elements are sent exactly as built: a None inside an element stays a JSON null.
    {
        "recording": RECORDING_UID,
        "device": DEVICE_UID,
        "label": "lane_change",
        "type": "info",
        "timestamp": "2026-02-23T22:15:00Z",
        "description": None,
    },
]


def check_device(result: Any) -> None:
    assert isinstance(result, Device)
    assert result.uid == DEVICE_UID and result.name == "truck-017" and result.type == "vehicle"
    assert result.status == "online" and result.tags == ["fleet-a", "lidar"] and result.firmware_version == "2.4.1"
    assert result.metadata == {"vin": "1FTFW1E50PFA00017"} and result.device_token == "devtok-9c1f"
    assert result.last_seen_at == at("2026-02-24T10:14:59Z") and result.created_at == at("2026-02-24T10:15:00Z")


def check_device_defaults(result: Any) -> None:
    assert isinstance(result, Device) and result.uid == DEVICE_MINIMAL["uid"] and result.name == "bench-rig"
    assert result.tags == [] and result.status is None and result.metadata is None and result.last_seen_at is None


def check_recording(result: Any) -> None:
    assert isinstance(result, Recording)
    assert result.uid == RECORDING_UID and result.device == DEVICE_UID and result.status == "ready"
    assert result.duration_seconds == 1800.5 and result.size_bytes == 73400320000 and result.topic_count == 12
    assert result.tags == ["highway"] and result.topics == [{"name": "/lidar/points", "messages": 18000}]
    assert result.started_at == at("2026-02-23T22:00:00Z") and result.ended_at == at("2026-02-23T22:30:00.5Z")


def check_recording_defaults(result: Any) -> None:
    assert isinstance(result, Recording) and result.uid == RECORDING_MINIMAL["uid"] and result.status == "uploading"
    assert result.topic_count == 0 and result.tags == [] and result.topics is None and result.duration_seconds is None


def check_event(result: Any) -> None:
    assert isinstance(result, FleetEvent)
    assert result.uid == EVENT_UID and result.recording == RECORDING_UID and result.device == DEVICE_UID
    assert result.type == "warning" and result.label == "hard_brake" and result.severity == "warning"
    assert result.timestamp == at("2026-02-23T22:14:07Z") and result.duration_ms == 1200
    assert result.tags == ["braking"] and result.metadata == {"decel_g": 0.64}


def check_event_defaults(result: Any) -> None:
    assert isinstance(result, FleetEvent) and result.uid == "ev-min" and result.tags == []
    assert result.timestamp is None and result.additional_properties == {"source": "edge"}


def check_rule(result: Any) -> None:
    assert isinstance(result, Rule)
    assert result.uid == RULE_UID and result.name == "Hard braking" and result.enabled is False
    assert result.condition == {"metric": "decel_g", "op": "gt", "value": 0.6}
    assert result.actions == [{"type": "alert", "channel": "slack-ops"}] and result.scope == {"tags": ["fleet-a"]}
    assert result.hit_count == 7 and result.last_hit_at == at("2026-02-23T22:14:07Z")


def check_rule_defaults(result: Any) -> None:
    assert isinstance(result, Rule) and result.uid == RULE_MINIMAL["uid"]
    assert result.enabled is True and result.actions == [] and result.hit_count == 0
    assert result.condition is None and result.scope is None and result.last_hit_at is None


def check_alert(result: Any) -> None:
    assert isinstance(result, Alert)
    assert result.uid == ALERT_UID and result.rule == RULE_UID and result.device == DEVICE_UID
    assert result.recording == RECORDING_UID and result.severity == "warning" and result.status == "resolved"
    assert result.message == "Hard braking on truck-017." and result.acknowledged_by == "jdoe"
    assert result.triggered_at == at("2026-02-23T22:14:08Z") and result.acknowledged_at == at("2026-02-24T08:00:00Z")
    assert result.resolved_at == at("2026-02-24T10:15:00Z") and result.resolution_note == NOTE


def check_channel(result: Any) -> None:
    assert isinstance(result, AlertChannel)
    assert result.uid == CHANNEL_UID and result.name == "slack-ops" and result.type == "slack"
    assert result.config == {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX"}
    assert result.created_at == at("2026-02-24T10:15:00Z")


def check_channel_minimal(result: Any) -> None:
    assert isinstance(result, AlertChannel) and result.uid == "ch-min" and result.name == "mail"
    assert result.type is None and result.config is None and result.created_at is None


DEVICES = [
    Case(
        "fleet.devices.list",
        "GET",
        "/fleet/devices/?status=online&type=vehicle&limit=20",
        kwargs={"status": "online", "type": "vehicle", "limit": 20},
        response=page([DEVICE, DEVICE_MINIMAL], "ZGV2", "/fleet/devices/"),
        check=lambda r: (is_page(r, Device, 2, "ZGV2"), check_device(r[0]), check_device_defaults(r[1])),
    ),
    Case(
        "fleet.devices.list",
        "GET",
        "/fleet/devices/",
        response=page([]),
        check=lambda r: is_page(r, Device, 0, None),
        id="fleet.devices.list-no-query",
    ),
    Case(
        "fleet.devices.register",
        "POST",
        "/fleet/devices/",
        kwargs={"name": "truck-017", "type": "vehicle"},
        body={"name": "truck-017", "type": "vehicle"},
        status=201,
        response=DEVICE,
        check=check_device,
    ),
    Case(
        "fleet.devices.register",
        "POST",
        "/fleet/devices/",
        kwargs={
            "name": "truck-018",
            "type": "vehicle",
            "firmware_version": "2.4.1",
            "tags": [],
            "metadata": {"vin": "X"},
        },
        body={
            "name": "truck-018",
            "type": "vehicle",
            "firmware_version": "2.4.1",
            "tags": [],
            "metadata": {"vin": "X"},
        },
        status=201,
        response=DEVICE_MINIMAL,
        check=check_device_defaults,
        id="fleet.devices.register-all",
    ),
    Case(
        "fleet.devices.get",
        "GET",
        f"/fleet/devices/{DEVICE_UID}/",
        args=(DEVICE_UID,),
        response=DEVICE,
        check=check_device,
    ),
    Case(
        "fleet.devices.update",
        "PATCH",
        f"/fleet/devices/{DEVICE_UID}/",
        args=(DEVICE_UID,),
        kwargs={"status": "maintenance", "tags": []},
        body={"status": "maintenance", "tags": []},
        response=DEVICE,
        check=check_device,
    ),
    Case(
        "fleet.devices.update",
        "PATCH",
        f"/fleet/devices/{DEVICE_UID}/",
        args=(DEVICE_UID,),
        kwargs={"name": "n", "status": "offline", "firmware_version": "3.0", "tags": ["a"], "metadata": {}},
        body={"name": "n", "status": "offline", "firmware_version": "3.0", "tags": ["a"], "metadata": {}},
        response=DEVICE,
        check=check_device,
        id="fleet.devices.update-all",
    ),
    Case(
        "fleet.devices.update",
        "PATCH",
        f"/fleet/devices/{DEVICE_UID}/",
        args=(DEVICE_UID,),
        body={},
        response=DEVICE,
        check=check_device,
        id="fleet.devices.update-empty",
    ),
    *void_cases("fleet.devices.delete", "DELETE", f"/fleet/devices/{DEVICE_UID}/", args=(DEVICE_UID,)),
]

RECORDINGS = [
    Case(
        "fleet.recordings.list",
        "GET",
        f"/fleet/recordings/?device={DEVICE_UID}&status=ready&limit=10",
        kwargs={"device_id": DEVICE_UID, "status": "ready", "limit": 10},
        response=page([RECORDING, RECORDING_MINIMAL], "cmVj", "/fleet/recordings/"),
        check=lambda r: (is_page(r, Recording, 2, "cmVj"), check_recording(r[0]), check_recording_defaults(r[1])),
    ),
    Case(
        "fleet.recordings.list",
        "GET",
        "/fleet/recordings/?cursor=cmVj",
        kwargs={"cursor": "cmVj"},
        response=page([]),
        check=lambda r: is_page(r, Recording, 0, None),
        id="fleet.recordings.list-cursor",
    ),
    Case(
        "fleet.recordings.get",
        "GET",
        f"/fleet/recordings/{RECORDING_UID}/",
        args=(RECORDING_UID,),
        response=RECORDING,
        check=check_recording,
    ),
    Case(
        "fleet.recordings.update",
        "PATCH",
        f"/fleet/recordings/{RECORDING_UID}/",
        args=(RECORDING_UID,),
        kwargs={"status": "archived", "tags": ["highway", "night"]},
        body={"status": "archived", "tags": ["highway", "night"]},
        response=RECORDING,
        check=check_recording,
    ),
    Case(
        "fleet.recordings.update",
        "PATCH",
        f"/fleet/recordings/{RECORDING_UID}/",
        args=(RECORDING_UID,),
        body={},
        response=RECORDING_MINIMAL,
        check=check_recording_defaults,
        id="fleet.recordings.update-empty",
    ),
    *void_cases("fleet.recordings.delete", "DELETE", f"/fleet/recordings/{RECORDING_UID}/", args=(RECORDING_UID,)),
]

EVENTS = [
    Case(
        "fleet.events.list",
        "GET",
        f"/fleet/events/?recording={RECORDING_UID}&device={DEVICE_UID}&type=warning&severity=critical&limit=20",
        kwargs={
            "recording_id": RECORDING_UID,
            "device_id": DEVICE_UID,
            "type": "warning",
            "severity": "critical",
            "limit": 20,
        },
        response=page([FLEET_EVENT, {"uid": "ev-min", "source": "edge"}], "ZXY", "/fleet/events/"),
        check=lambda r: (is_page(r, FleetEvent, 2, "ZXY"), check_event(r[0]), check_event_defaults(r[1])),
    ),
    Case(
        "fleet.events.list",
        "GET",
        f"/fleet/events/?device={DEVICE_UID}&limit=0",
        kwargs={"device_id": DEVICE_UID, "limit": 0},
        response=page([]),
        check=lambda r: is_page(r, FleetEvent, 0, None),
        id="fleet.events.list-device-limit-0",
    ),
    Case(
        "fleet.events.create",
        "POST",
        "/fleet/events/",
        kwargs={
            "recording": RECORDING_UID,
            "device": DEVICE_UID,
            "label": "hard_brake",
            "type": "warning",
            "timestamp": "2026-02-23T22:14:07Z",
        },
        body={
            "recording": RECORDING_UID,
            "device": DEVICE_UID,
            "label": "hard_brake",
            "type": "warning",
            "timestamp": "2026-02-23T22:14:07Z",
        },
        status=201,
        response=FLEET_EVENT,
        check=check_event,
    ),
    Case(
        "fleet.events.create",
        "POST",
        "/fleet/events/",
        kwargs={
            "recording": RECORDING_UID,
            "device": DEVICE_UID,
            "label": "hard_brake",
            "type": "warning",
            "timestamp": "2026-02-23T22:14:07Z",
            "severity": "warning",
            "description": "Deceleration above 0.6 g.",
            "duration_ms": 0,
            "tags": ["braking"],
            "metadata": {"decel_g": 0.64},
        },
        body={
            "recording": RECORDING_UID,
            "device": DEVICE_UID,
            "label": "hard_brake",
            "type": "warning",
            "timestamp": "2026-02-23T22:14:07Z",
            "severity": "warning",
            "description": "Deceleration above 0.6 g.",
            "duration_ms": 0,
            "tags": ["braking"],
            "metadata": {"decel_g": 0.64},
        },
        status=201,
        response=FLEET_EVENT,
        check=check_event,
        id="fleet.events.create-all",
    ),
    # Wrapped as {"events": [...]}; the result is the int `created` of the response.
    Case(
        "fleet.events.create_batch",
        "POST",
        "/fleet/events/batch/",
        kwargs={"events": BATCH},
        body={"events": BATCH},
        status=201,
        response={"created": 2},
        check=lambda r: equals(r, 2),
    ),
    Case(
        "fleet.events.create_batch",
        "POST",
        "/fleet/events/batch/",
        kwargs={"events": []},
        body={"events": []},
        response={"created": 0, "errors": []},
        check=lambda r: equals(r, 0),
        id="fleet.events.create_batch-empty",
    ),
    Case(
        "fleet.events.get",
        "GET",
        f"/fleet/events/{EVENT_UID}/",
        args=(EVENT_UID,),
        response=FLEET_EVENT,
        check=check_event,
    ),
    *void_cases("fleet.events.delete", "DELETE", f"/fleet/events/{EVENT_UID}/", args=(EVENT_UID,)),
]

RULES = [
    Case(
        "fleet.rules.list",
        "GET",
        "/fleet/rules/?enabled=false",
        kwargs={"enabled": False},
        response=page([RULE, RULE_MINIMAL], "cnVs", "/fleet/rules/"),
        check=lambda r: (is_page(r, Rule, 2, "cnVs"), check_rule(r[0]), check_rule_defaults(r[1])),
    ),
    Case(
        "fleet.rules.list",
        "GET",
        "/fleet/rules/?enabled=true&limit=0&cursor=cnVs",
        kwargs={"enabled": True, "limit": 0, "cursor": "cnVs"},
        response=page([]),
        check=lambda r: is_page(r, Rule, 0, None),
        id="fleet.rules.list-enabled-true",
    ),
    Case(
        "fleet.rules.list",
        "GET",
        "/fleet/rules/",
        response=page([RULE]),
        check=lambda r: (is_page(r, Rule, 1, None), check_rule(r[0])),
        id="fleet.rules.list-no-query",
    ),
    Case(
        "fleet.rules.create",
        "POST",
        "/fleet/rules/",
        kwargs={
            "name": "Hard braking",
            "condition": {"metric": "decel_g", "op": "gt", "value": 0.6},
            "actions": [{"type": "alert", "channel": "slack-ops"}],
        },
        body={
            "name": "Hard braking",
            "condition": {"metric": "decel_g", "op": "gt", "value": 0.6},
            "actions": [{"type": "alert", "channel": "slack-ops"}],
        },
        status=201,
        response=RULE,
        check=check_rule,
    ),
    Case(
        "fleet.rules.create",
        "POST",
        "/fleet/rules/",
        kwargs={
            "name": "Draft rule",
            "condition": {},
            "actions": [],
            "description": "Not yet active.",
            "enabled": False,
            "scope": {"devices": [DEVICE_UID]},
        },
        body={
            "name": "Draft rule",
            "condition": {},
            "actions": [],
            "description": "Not yet active.",
            "enabled": False,
            "scope": {"devices": [DEVICE_UID]},
        },
        status=201,
        response=RULE_MINIMAL,
        check=check_rule_defaults,
        id="fleet.rules.create-all",
    ),
    Case("fleet.rules.get", "GET", f"/fleet/rules/{RULE_UID}/", args=(RULE_UID,), response=RULE, check=check_rule),
    Case(
        "fleet.rules.update",
        "PATCH",
        f"/fleet/rules/{RULE_UID}/",
        args=(RULE_UID,),
        kwargs={"enabled": False},
        body={"enabled": False},
        response=RULE,
        check=check_rule,
    ),
    Case(
        "fleet.rules.update",
        "PATCH",
        f"/fleet/rules/{RULE_UID}/",
        args=(RULE_UID,),
        kwargs={
            "name": "n",
            "description": "d",
            "enabled": True,
            "condition": {"metric": "speed_kmh", "op": "gt", "value": 130},
            "actions": [],
            "scope": {},
        },
        body={
            "name": "n",
            "description": "d",
            "enabled": True,
            "condition": {"metric": "speed_kmh", "op": "gt", "value": 130},
            "actions": [],
            "scope": {},
        },
        response=RULE,
        check=check_rule,
        id="fleet.rules.update-all",
    ),
    Case(
        "fleet.rules.update",
        "PATCH",
        f"/fleet/rules/{RULE_UID}/",
        args=(RULE_UID,),
        body={},
        response=RULE,
        check=check_rule,
        id="fleet.rules.update-empty",
    ),
    *void_cases("fleet.rules.delete", "DELETE", f"/fleet/rules/{RULE_UID}/", args=(RULE_UID,)),
]

ALERTS = [
    Case(
        "fleet.alerts.list",
        "GET",
        f"/fleet/alerts/?status=open&severity=warning&device={DEVICE_UID}&rule={RULE_UID}&limit=20",
        kwargs={"status": "open", "severity": "warning", "device_id": DEVICE_UID, "rule_id": RULE_UID, "limit": 20},
        response=page([ALERT], "YWw", "/fleet/alerts/"),
        check=lambda r: (is_page(r, Alert, 1, "YWw"), check_alert(r[0])),
    ),
    Case(
        "fleet.alerts.list",
        "GET",
        f"/fleet/alerts/?rule={RULE_UID}",
        kwargs={"rule_id": RULE_UID},
        response=page([]),
        check=lambda r: is_page(r, Alert, 0, None),
        id="fleet.alerts.list-rule",
    ),
    Case(
        "fleet.alerts.get", "GET", f"/fleet/alerts/{ALERT_UID}/", args=(ALERT_UID,), response=ALERT, check=check_alert
    ),
    Case(
        "fleet.alerts.acknowledge",
        "POST",
        f"/fleet/alerts/{ALERT_UID}/acknowledge/",
        args=(ALERT_UID,),
        body=NO_BODY,
        response=ALERT,
        check=check_alert,
    ),
    Case(
        "fleet.alerts.resolve",
        "POST",
        f"/fleet/alerts/{ALERT_UID}/resolve/",
        args=(ALERT_UID,),
        kwargs={"resolution_note": NOTE},
        body={"resolution_note": NOTE},
        response=ALERT,
        check=check_alert,
    ),
    # Without a note: no body at all, not {} (catalogue §2.16).
    Case(
        "fleet.alerts.resolve",
        "POST",
        f"/fleet/alerts/{ALERT_UID}/resolve/",
        args=(ALERT_UID,),
        body=NO_BODY,
        response=ALERT,
        check=check_alert,
        id="fleet.alerts.resolve-no-note",
    ),
    Case(
        "fleet.alerts.resolve",
        "POST",
        f"/fleet/alerts/{ALERT_UID}/resolve/",
        args=(ALERT_UID,),
        kwargs={"resolution_note": ""},
        body={"resolution_note": ""},
        response=ALERT,
        check=check_alert,
        id="fleet.alerts.resolve-empty-note",
    ),
]

ALERT_CHANNELS = [
    Case(
        "fleet.alert_channels.list",
        "GET",
        "/fleet/alert-channels/?limit=50",
        kwargs={"limit": 50},
        response=page([ALERT_CHANNEL], "Y2g", "/fleet/alert-channels/"),
        check=lambda r: (is_page(r, AlertChannel, 1, "Y2g"), check_channel(r[0])),
    ),
    Case(
        "fleet.alert_channels.create",
        "POST",
        "/fleet/alert-channels/",
        kwargs={
            "name": "slack-ops",
            "type": "slack",
            "config": {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX"},
        },
        body={
            "name": "slack-ops",
            "type": "slack",
            "config": {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX"},
        },
        status=201,
        response=ALERT_CHANNEL,
        check=check_channel,
    ),
    Case(
        "fleet.alert_channels.create",
        "POST",
        "/fleet/alert-channels/",
        kwargs={"name": "mail", "type": "email", "config": {}},
        body={"name": "mail", "type": "email", "config": {}},
        status=201,
        response={"uid": "ch-min", "name": "mail"},
        check=check_channel_minimal,
        id="fleet.alert_channels.create-empty-config",
    ),
    *void_cases("fleet.alert_channels.delete", "DELETE", f"/fleet/alert-channels/{CHANNEL_UID}/", args=(CHANNEL_UID,)),
    Case(
        "fleet.alert_channels.test",
        "POST",
        f"/fleet/alert-channels/{CHANNEL_UID}/test/",
        args=(CHANNEL_UID,),
        body=NO_BODY,
        response={"detail": "Test notification sent.", "channel_uid": CHANNEL_UID, "channel_type": "slack"},
        check=lambda r: equals(
            r, {"detail": "Test notification sent.", "channel_uid": CHANNEL_UID, "channel_type": "slack"}
        ),
    ),
]

CASES = [*DEVICES, *RECORDINGS, *EVENTS, *RULES, *ALERTS, *ALERT_CHANNELS]
