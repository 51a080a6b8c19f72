"""The ledger tables exactly as the first release (0.1.0, before migrations existed) created them.

Copied from equity_xlsx/store.py at commit d9c09ed, so a test can build a database "made by
the previous schema" on any backend and check that today's store upgrades it in place.
Do not edit: this is history.
"""

import sqlalchemy as sa

metadata = sa.MetaData()
ledger_lines = sa.Table(
    "equity_ledger_lines",
    metadata,
    sa.Column("county", sa.String, primary_key=True),
    sa.Column("line_id", sa.String, primary_key=True),
    sa.Column("key", sa.String, nullable=False, default=""),
    sa.Column("school", sa.String, nullable=False, default=""),
    sa.Column("stage", sa.String, nullable=False, default=""),
    sa.Column("item", sa.String, nullable=False, default=""),
    sa.Column("indicator", sa.String, nullable=False, default=""),
    # Last values seen in the data: a closed line still shows what the gap was.
    sa.Column("current", sa.Float, nullable=True),
    sa.Column("standard", sa.Float, nullable=True),
    sa.Column("shortfall", sa.Float, nullable=True),
    sa.Column("unit", sa.String, nullable=False, default=""),
    sa.Column("need", sa.Float, nullable=True),
    sa.Column("need_unit", sa.String, nullable=False, default=""),
    sa.Column("need_text", sa.Text, nullable=False, default=""),
    sa.Column("measure", sa.Text, nullable=False, default=""),
    sa.Column("department", sa.String, nullable=False, default=""),
    sa.Column("office", sa.String, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    # Dates are ISO strings (YYYY-MM-DD), exactly as LedgerLine and the sheet carry them.
    sa.Column("first_seen", sa.String(10), nullable=False, default=""),
    sa.Column("last_seen", sa.String(10), nullable=False, default=""),
    sa.Column("status", sa.String, nullable=False, default="未整改"),
    sa.Column("closed_on", sa.String(10), nullable=False, default=""),
    # What staff typed: never erased by a run.
    sa.Column("owner", sa.Text, nullable=False, default=""),
    sa.Column("due", sa.String, nullable=False, default=""),
    sa.Column("progress", sa.Text, nullable=False, default=""),
    sa.Column("remark", sa.Text, nullable=False, default=""),
    sa.Column("manual_status", sa.String, nullable=False, default=""),
    sa.Column("updated_at", sa.DateTime, nullable=True),
)

ledger_history = sa.Table(
    "equity_ledger_history",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("county", sa.String, nullable=False),
    sa.Column("line_id", sa.String, nullable=False),
    sa.Column("on_date", sa.String(10), nullable=False),
    # "status" for a status change, else the staff field whose old value is kept here.
    sa.Column("field", sa.String, nullable=False, default="status"),
    sa.Column("from_value", sa.Text, nullable=False, default=""),
    sa.Column("to_value", sa.Text, nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("recorded_at", sa.DateTime, nullable=True),
    sa.Index("ix_equity_ledger_history_line", "county", "line_id"),
)

runs = sa.Table(
    "equity_runs",
    metadata,
    sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("county", sa.String, nullable=False, default=""),
    sa.Column("input_name", sa.String, nullable=False, default=""),
    sa.Column("run_at", sa.DateTime, nullable=False),
    sa.Column("input_hash", sa.String, nullable=False, default=""),
    sa.Column("standard", sa.String, nullable=False, default=""),
    sa.Column("tool_version", sa.String, nullable=False, default=""),
    sa.Column("opened", sa.Integer, nullable=False, default=0),
    sa.Column("closed", sa.Integer, nullable=False, default=0),
    sa.Column("reopened", sa.Integer, nullable=False, default=0),
    sa.Column("open_lines", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String, nullable=False, default="ok"),
    sa.Index("ix_equity_runs_county", "county"),
    sa.Index("ix_equity_runs_input", "input_name"),
)


