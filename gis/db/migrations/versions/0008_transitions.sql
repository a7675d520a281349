-- Stage moves name their stages in the payload as from_stage/to_stage, so a `to` elsewhere (the spot a report
-- was split or moved to) is never read as a stage. Rows written before named them `from`/`to`: add the two
-- keys to those once (nothing is removed), the only rewrite of the append-only history.
ALTER TABLE spot_event DISABLE TRIGGER spot_event_no_update;
UPDATE spot_event
SET payload = payload || jsonb_build_object('from_stage', (payload ->> 'from')::smallint,
                                            'to_stage', (payload ->> 'to')::smallint)
WHERE kind IN ('stage_changed', 'verified', 'remediation_started', 'evaluated', 'reopened')
  AND jsonb_typeof(payload -> 'to') = 'number' AND NOT payload ? 'to_stage';
ALTER TABLE spot_event ENABLE TRIGGER spot_event_no_update;

-- Every stage move of every spot: what time-in-stage, the funnel and stage history read.
CREATE VIEW spot_transition AS
SELECT e.id, e.spot_id, e.kind, e.at, e.actor_id, e.actor_name, e.note,
       (e.payload ->> 'from_stage')::smallint AS from_stage, (e.payload ->> 'to_stage')::smallint AS to_stage
FROM spot_event e
WHERE e.payload ? 'to_stage';
