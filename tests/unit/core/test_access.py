import uuid

import pytest

from alima.core.access import (
    ROLE_PERMISSIONS,
    Actor,
    Grant,
    Permission,
    child_path,
    minimal_prefixes,
)
from alima.core.enums import Role


def actor(*grants: Grant) -> Actor:
    return Actor(id=uuid.uuid4(), username="u", full_name="U", grants=grants)


def test_child_path_appends_hex_id() -> None:
    place_id = uuid.uuid4()
    assert child_path("/a/", place_id) == f"/a/{place_id.hex}/"
    assert child_path(None, place_id) == f"/{place_id.hex}/"


def test_minimal_prefixes_drops_nested_paths() -> None:
    assert minimal_prefixes(["/a/b/", "/a/", "/c/", "/a/b/c/"]) == ("/a/", "/c/")


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        (Role.CLINICIAN, Permission.PATIENT_READ, True),
        (Role.CLINICIAN, Permission.PATIENT_DELETE, False),
        (Role.CLINICIAN, Permission.AUDIT_READ, False),
        (Role.DATA_MANAGER, Permission.AUDIT_READ, True),
        (Role.DATA_MANAGER, Permission.PATIENT_DELETE, True),
        (Role.COORDINATOR, Permission.PATIENT_WRITE, False),
        (Role.PARTNER_VIEWER, Permission.PATIENT_READ, False),
        (Role.RESEARCHER, Permission.PATIENT_READ, False),
        (Role.ADMINISTRATOR, Permission.PATIENT_DELETE, True),
    ],
    ids=str,
)
def test_role_permissions(role: Role, permission: Permission, expected: bool) -> None:
    assert (permission in ROLE_PERMISSIONS[role]) is expected


def test_scope_is_a_subtree() -> None:
    a = actor(Grant(Role.CLINICIAN, ("/c/d/a/",)))
    assert a.can_at(Permission.PATIENT_READ, "/c/d/a/")
    assert a.can_at(Permission.PATIENT_READ, "/c/d/a/site/")
    assert not a.can_at(Permission.PATIENT_READ, "/c/d/b/")
    assert not a.can_at(Permission.PATIENT_READ, "/c/d/")


def test_permissions_do_not_leak_between_grants() -> None:
    a = actor(Grant(Role.CLINICIAN, ("/a/",)), Grant(Role.PARTNER_VIEWER, ("/b/",)))
    assert a.can_at(Permission.PATIENT_READ, "/a/x/")
    assert not a.can_at(Permission.PATIENT_READ, "/b/x/")
    assert a.can_at(Permission.AGGREGATE_READ, "/b/x/")
    assert not a.can_at(Permission.AGGREGATE_READ, "/a/x/")
