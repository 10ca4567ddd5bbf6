"""The audit table cannot be emptied at once: PostgreSQL's TRUNCATE skips row triggers."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def test_audit_table_refuses_truncate(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE fires the append-only row trigger")
    with pytest.raises(DBAPIError, match="append-only"), session.begin():
        session.execute(text("TRUNCATE core_audit_event"))
