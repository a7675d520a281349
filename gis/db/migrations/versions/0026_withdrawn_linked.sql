-- What hung on a withdrawn report (its reporter's contact, its photos, the call back to its reporter), kept
-- beside it as {table: [rows]}: the report can then leave the report table whole, and come back whole.
ALTER TABLE withdrawn_report ADD COLUMN linked jsonb NOT NULL DEFAULT '{}';
