"""Cases for the 24 organizations operations (catalogue §2.13, models §7.7).

Invitations, teams and team members are pages with ``limit``/``cursor`` (decisions.md, "Wire choices"); a bare JSON
array from an older server is read as one final page.
"""

from __future__ import annotations

from typing import Any

from avala.types import Invitation, Organization, OrganizationMember, Team, TeamMember

from .cases_common import at, equals, void_cases
from .cases_core import is_page
from .harness import Case
from .payloads import (
    INVITATION,
    ORGANIZATION,
    ORGANIZATION_MEMBER,
    ORGANIZATION_MINIMAL,
    TEAM,
    TEAM_MEMBER,
    page,
)

ORG = "/organizations/my-org/"
TEAM_PATH = f"{ORG}teams/team_slug/"
INDUSTRY_CHOICES = {"choices": [["technology", "Technology"], ["automotive", "Automotive"]], "default": None}


def check_org(result: Any) -> None:
    assert isinstance(result, Organization)
    assert result.uid == ORGANIZATION["uid"] and result.name == "Acme AI" and result.slug == "acme-ai"
    assert result.handle == "acme" and result.industry == "technology" and result.visibility == "private"
    assert result.plan == "enterprise" and result.is_verified is True and result.is_active is True
    assert (result.member_count, result.team_count, result.dataset_count) == (14, 3, 22)
    assert (result.project_count, result.slice_count) == (9, 4)
    assert result.role == "owner" and result.allowed_domains == ["acme.example.com"]
    assert result.joined_at == at("2025-11-03T09:30:00Z") and result.created_at == at("2026-02-24T10:15:00Z")


def check_org_defaults(result: Any) -> None:
    assert isinstance(result, Organization) and result.slug == "tiny"
    assert result.is_verified is False and result.is_active is True
    assert result.member_count is None and result.allowed_domains is None and result.joined_at is None


def check_member(result: Any) -> None:
    assert isinstance(result, OrganizationMember)
    assert result.user_uid == ORGANIZATION_MEMBER["user_uid"] and result.username == "jdoe"
    assert result.full_name == "Jane Doe" and result.role == "admin" and result.picture is None
    assert result.created_at == at("2026-02-24T10:15:00Z")


def check_invitation(result: Any) -> None:
    assert isinstance(result, Invitation)
    assert result.uid == INVITATION["uid"] and result.invited_email == "user@example.com"
    assert result.organization_slug == "acme-ai" and result.invited_by_username == "jdoe"
    assert result.role == "member" and result.status == "pending" and result.is_expired is False
    assert result.expires_at == at("2026-03-03T10:15:00Z") and result.copy_link == "https://avala.ai/i/abc"


def check_team(result: Any) -> None:
    assert isinstance(result, Team)
    assert result.uid == TEAM["uid"] and result.name == "ML Engineers" and result.slug == "ml-engineers"
    assert result.color == "#3366ff" and result.member_count == 5 and result.organization_slug == "acme-ai"
    assert result.updated_at == at("2026-02-24T10:15:00Z")


def check_team_member(result: Any) -> None:
    assert isinstance(result, TeamMember)
    assert result.user_uid == TEAM_MEMBER["user_uid"] and result.username == "rsmith" and result.role == "lead"
    assert result.email is None and result.created_at == at("2026-02-24T10:15:00Z")


ORGANIZATIONS = [
    Case(
        "organizations.list",
        "GET",
        "/organizations/?limit=20",
        kwargs={"limit": 20},
        response=page([ORGANIZATION, ORGANIZATION_MINIMAL], "b3Jn", "/organizations/"),
        check=lambda r: (is_page(r, Organization, 2, "b3Jn"), check_org(r[0]), check_org_defaults(r[1])),
    ),
    Case("organizations.get", "GET", ORG, args=("my-org",), response=ORGANIZATION, check=check_org),
    Case(
        "organizations.create",
        "POST",
        "/organizations/",
        kwargs={"name": "My Team", "visibility": "private", "industry": "technology"},
        body={"name": "My Team", "visibility": "private", "industry": "technology"},
        status=201,
        response=ORGANIZATION,
        check=check_org,
    ),
    Case(
        "organizations.create",
        "POST",
        "/organizations/",
        kwargs={
            "name": "Acme AI",
            "description": "d",
            "logo": "https://cdn.avala.ai/logos/acme.png",
            "website": "https://acme.example.com",
            "industry": "automotive",
            "email": "ops@acme.example.com",
            "phone": "+1 555 0100",
            "visibility": "public",
        },
        body={
            "name": "Acme AI",
            "description": "d",
            "logo": "https://cdn.avala.ai/logos/acme.png",
            "website": "https://acme.example.com",
            "industry": "automotive",
            "email": "ops@acme.example.com",
            "phone": "+1 555 0100",
            "visibility": "public",
        },
        status=201,
        response=ORGANIZATION_MINIMAL,
        check=check_org_defaults,
        id="organizations.create-all",
    ),
    Case(
        "organizations.update",
        "PATCH",
        ORG,
        args=("my-org",),
        kwargs={"name": "New Name", "description": "Updated desc"},
        body={"name": "New Name", "description": "Updated desc"},
        response=ORGANIZATION,
        check=check_org,
    ),
    Case(
        "organizations.update",
        "PATCH",
        ORG,
        args=("my-org",),
        kwargs={
            "name": "n",
            "description": "",
            "logo": "l",
            "website": "w",
            "handle": "h",
            "industry": "i",
            "email": "e@example.com",
            "phone": "p",
            "visibility": "public",
        },
        body={
            "name": "n",
            "description": "",
            "logo": "l",
            "website": "w",
            "handle": "h",
            "industry": "i",
            "email": "e@example.com",
            "phone": "p",
            "visibility": "public",
        },
        response=ORGANIZATION,
        check=check_org,
        id="organizations.update-all",
    ),
    Case(
        "organizations.update",
        "PATCH",
        ORG,
        args=("my-org",),
        body={},
        response=ORGANIZATION,
        check=check_org,
        id="organizations.update-empty",
    ),
    *void_cases("organizations.delete", "DELETE", ORG, args=("my-org",)),
    # The literal `industry-choices` segment, not an organization slug; the answer is a raw dict.
    Case(
        "organizations.industry_choices",
        "GET",
        "/organizations/industry-choices/",
        response=INDUSTRY_CHOICES,
        check=lambda r: equals(r, INDUSTRY_CHOICES),
    ),
    Case(
        "organizations.list_members",
        "GET",
        f"{ORG}members/?role=admin",
        args=("my-org",),
        kwargs={"role": "admin"},
        response=page([ORGANIZATION_MEMBER], "bWVt", f"{ORG}members/"),
        check=lambda r: (is_page(r, OrganizationMember, 1, "bWVt"), check_member(r[0])),
    ),
    Case(
        "organizations.list_members",
        "GET",
        # httpx 0.28 form-encodes a space in the query as "+" (the catalogue's §5.2 says %20; both decode to " ").
        f"{ORG}members/?search=jane+doe&role=member&limit=10&cursor=bWVt",
        args=("my-org",),
        kwargs={"search": "jane doe", "role": "member", "limit": 10, "cursor": "bWVt"},
        response=page([]),
        check=lambda r: is_page(r, OrganizationMember, 0, None),
        id="organizations.list_members-all",
    ),
    *void_cases("organizations.remove_member", "DELETE", f"{ORG}members/user_uid/", args=("my-org", "user_uid")),
    *void_cases(
        "organizations.update_member_role",
        "PATCH",
        f"{ORG}members/user_uid/role/",
        args=("my-org", "user_uid"),
        kwargs={"role": "admin"},
        body={"role": "admin"},
    ),
    *void_cases("organizations.leave", "POST", f"{ORG}leave/", args=("my-org",)),
    *void_cases(
        "organizations.transfer_ownership",
        "POST",
        f"{ORG}transfer-ownership/",
        args=("my-org",),
        kwargs={"new_owner_uid": "new_owner_uid"},
        body={"new_owner_uid": "new_owner_uid"},
    ),
    Case(
        "organizations.list_invitations",
        "GET",
        f"{ORG}invitations/",
        args=("my-org",),
        response=page([INVITATION], "aW52", f"{ORG}invitations/"),
        check=lambda r: (is_page(r, Invitation, 1, "aW52"), check_invitation(r[0])),
    ),
    Case(
        "organizations.list_invitations",
        "GET",
        f"{ORG}invitations/?limit=5&cursor=aW52",
        args=("my-org",),
        kwargs={"limit": 5, "cursor": "aW52"},
        response=page([INVITATION]),
        check=lambda r: is_page(r, Invitation, 1, None),
        id="organizations.list_invitations-paged",
    ),
    Case(
        "organizations.list_invitations",
        "GET",
        f"{ORG}invitations/",
        args=("my-org",),
        response=[INVITATION, INVITATION],
        check=lambda r: (is_page(r, Invitation, 2, None), check_invitation(r[1])),
        id="organizations.list_invitations-bare-array",
    ),
    Case(
        "organizations.create_invitation",
        "POST",
        f"{ORG}invitations/",
        args=("my-org",),
        kwargs={"email": "user@example.com", "role": "member"},
        body={"email": "user@example.com", "role": "member"},
        status=201,
        response=INVITATION,
        check=check_invitation,
    ),
    Case(
        "organizations.create_invitation",
        "POST",
        f"{ORG}invitations/",
        args=("my-org",),
        kwargs={"email": "user@example.com"},
        body={"email": "user@example.com"},
        status=201,
        response=INVITATION,
        check=check_invitation,
        id="organizations.create_invitation-no-role",
    ),
    *void_cases(
        "organizations.resend_invitation",
        "POST",
        f"{ORG}invitations/invitation_uid/resend/",
        args=("my-org", "invitation_uid"),
    ),
    # Cancelling an invitation is a POST action, not a DELETE.
    *void_cases(
        "organizations.cancel_invitation",
        "POST",
        f"{ORG}invitations/invitation_uid/cancel/",
        args=("my-org", "invitation_uid"),
    ),
    Case(
        "organizations.list_teams",
        "GET",
        f"{ORG}teams/",
        args=("my-org",),
        response=page([TEAM], "dGVh", f"{ORG}teams/"),
        check=lambda r: (is_page(r, Team, 1, "dGVh"), check_team(r[0])),
    ),
    Case(
        "organizations.list_teams",
        "GET",
        f"{ORG}teams/?limit=0",
        args=("my-org",),
        kwargs={"limit": 0},
        response=page([]),
        check=lambda r: is_page(r, Team, 0, None),
        id="organizations.list_teams-limit-0",
    ),
    Case(
        "organizations.list_teams",
        "GET",
        f"{ORG}teams/",
        args=("my-org",),
        response=[TEAM],
        check=lambda r: (is_page(r, Team, 1, None), check_team(r[0])),
        id="organizations.list_teams-bare-array",
    ),
    Case(
        "organizations.create_team",
        "POST",
        f"{ORG}teams/",
        args=("my-org",),
        kwargs={"name": "ML Engineers", "description": "Machine learning team"},
        body={"name": "ML Engineers", "description": "Machine learning team"},
        status=201,
        response=TEAM,
        check=check_team,
    ),
    Case(
        "organizations.create_team",
        "POST",
        f"{ORG}teams/",
        args=("my-org",),
        kwargs={"name": "Ops", "description": "Operations", "color": "#ff0000"},
        body={"name": "Ops", "description": "Operations", "color": "#ff0000"},
        status=201,
        response=TEAM,
        check=check_team,
        id="organizations.create_team-all",
    ),
    Case("organizations.get_team", "GET", TEAM_PATH, args=("my-org", "team_slug"), response=TEAM, check=check_team),
    Case(
        "organizations.update_team",
        "PATCH",
        TEAM_PATH,
        args=("my-org", "team_slug"),
        kwargs={"name": "Updated Name"},
        body={"name": "Updated Name"},
        response=TEAM,
        check=check_team,
    ),
    Case(
        "organizations.update_team",
        "PATCH",
        TEAM_PATH,
        args=("my-org", "team_slug"),
        kwargs={"name": "n", "description": "d", "color": "#000000"},
        body={"name": "n", "description": "d", "color": "#000000"},
        response=TEAM,
        check=check_team,
        id="organizations.update_team-all",
    ),
    Case(
        "organizations.update_team",
        "PATCH",
        TEAM_PATH,
        args=("my-org", "team_slug"),
        body={},
        response=TEAM,
        check=check_team,
        id="organizations.update_team-empty",
    ),
    *void_cases("organizations.delete_team", "DELETE", TEAM_PATH, args=("my-org", "team_slug")),
    Case(
        "organizations.list_team_members",
        "GET",
        f"{TEAM_PATH}members/",
        args=("my-org", "team_slug"),
        response=page([TEAM_MEMBER], "dG0", f"{TEAM_PATH}members/"),
        check=lambda r: (is_page(r, TeamMember, 1, "dG0"), check_team_member(r[0])),
    ),
    Case(
        "organizations.list_team_members",
        "GET",
        f"{TEAM_PATH}members/?limit=25&cursor=dG0",
        args=("my-org", "team_slug"),
        kwargs={"limit": 25, "cursor": "dG0"},
        response=page([]),
        check=lambda r: is_page(r, TeamMember, 0, None),
        id="organizations.list_team_members-paged",
    ),
    Case(
        "organizations.list_team_members",
        "GET",
        f"{TEAM_PATH}members/",
        args=("my-org", "team_slug"),
        response=[TEAM_MEMBER],
        check=lambda r: (is_page(r, TeamMember, 1, None), check_team_member(r[0])),
        id="organizations.list_team_members-bare-array",
    ),
    Case(
        "organizations.add_team_member",
        "POST",
        f"{TEAM_PATH}members/",
        args=("my-org", "team_slug"),
        kwargs={"user_uid": "user_uid", "role": "member"},
        body={"user_uid": "user_uid", "role": "member"},
        status=201,
        response=TEAM_MEMBER,
        check=check_team_member,
    ),
    Case(
        "organizations.add_team_member",
        "POST",
        f"{TEAM_PATH}members/",
        args=("my-org", "team_slug"),
        kwargs={"user_uid": "user_uid"},
        body={"user_uid": "user_uid"},
        status=201,
        response=TEAM_MEMBER,
        check=check_team_member,
        id="organizations.add_team_member-no-role",
    ),
    *void_cases(
        "organizations.remove_team_member",
        "DELETE",
        f"{TEAM_PATH}members/user_uid/",
        args=("my-org", "team_slug", "user_uid"),
    ),
    *void_cases(
        "organizations.update_team_member_role",
        "PATCH",
        f"{TEAM_PATH}members/user_uid/role/",
        args=("my-org", "team_slug", "user_uid"),
        kwargs={"role": "lead"},
        body={"role": "lead"},
    ),
]

CASES = ORGANIZATIONS
