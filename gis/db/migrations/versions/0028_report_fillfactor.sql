-- Report pages keep a fifth of their room free, so a rebuild's move of a report to another spot (a new row
-- version) stays on its page, as a heap-only tuple with no new entry in the indexes that do not hold spot_id.
-- The rebuild then builds again only the indexes on spot_id, not all of report's: on the million-report
-- benchmark, moving 242,009 reports took 18.8 s with every secondary index dropped and built again, 10.9 s
-- so. The table is 26 % larger (179 → 226 MB at a million reports). CLUSTER writes the rows already stored
-- anew with that room (VACUUM FULL may not run in a migration's transaction; CLUSTER may).
ALTER TABLE report SET (fillfactor = 80);
CLUSTER report USING report_pkey;
ALTER TABLE report SET WITHOUT CLUSTER;
