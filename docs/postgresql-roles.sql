-- Scorecard on PostgreSQL: the application runs as a role that may add to and read the audit
-- trail but never change or remove it (reliability.md R12).
--
-- Two roles:
--   * the OWNER (the role that ran `flask db upgrade`, e.g. scorecard_owner or postgres) owns
--     every table, runs migrations, and is never used by the web application;
--   * the APPLICATION role, scorecard_app, which gunicorn connects as.
--
-- Run as the owner (or a superuser) in the application's database, after every
-- `flask db upgrade` (grants are given per table, so new tables need them too):
--
--     psql -v ON_ERROR_STOP=1 -d scorecard -f docs/postgresql-roles.sql
--     ALTER ROLE scorecard_app PASSWORD '…';          -- once, by hand
--
-- then start the application with
--     DATABASE_URL=postgresql+psycopg://scorecard_app:…@host/scorecard
--
-- What scorecard_app may do on audit_events: INSERT and SELECT. No UPDATE, DELETE, TRUNCATE.
-- Erasing a candidate (GDPR Art. 17, PIPL Art. 47) must still scrub their personal data out
-- of old audit rows: that goes through scorecard_erase_audit_values() below, which runs with
-- the owner's rights but can only replace text inside the rows' JSON string values with
-- "[erased]" — it cannot write anything else, nor touch who, what, when or the object.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scorecard_app') THEN
        CREATE ROLE scorecard_app LOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO scorecard_app', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO scorecard_app;

-- Everything the application does on its own data.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO scorecard_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO scorecard_app;

-- The audit trail: append and read only.
REVOKE ALL ON TABLE audit_events FROM scorecard_app;
GRANT SELECT, INSERT ON TABLE audit_events TO scorecard_app;

-- The schema version belongs to migrations.
REVOKE ALL ON TABLE alembic_version FROM scorecard_app;
GRANT SELECT ON TABLE alembic_version TO scorecard_app;

-- Text replacement inside every string of a JSON value (keys and structure stay).
CREATE OR REPLACE FUNCTION scorecard_scrub_text(t text, needles text[])
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n text;
BEGIN
    FOREACH n IN ARRAY needles LOOP
        IF n <> '' THEN
            t := replace(t, n, '[erased]');
        END IF;
    END LOOP;
    RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION scorecard_scrub_json(v jsonb, needles text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(v)
        WHEN 'string' THEN to_jsonb(scorecard_scrub_text(v #>> '{}', needles))
        WHEN 'object' THEN (
            SELECT coalesce(jsonb_object_agg(key, scorecard_scrub_json(value, needles)), '{}')
            FROM jsonb_each(v))
        WHEN 'array' THEN (
            SELECT coalesce(jsonb_agg(scorecard_scrub_json(value, needles) ORDER BY ord), '[]')
            FROM jsonb_array_elements(v) WITH ORDINALITY AS e(value, ord))
        ELSE v
    END
$$;

-- The one way the application changes audit rows: scrubbing an erased candidate's values.
CREATE OR REPLACE FUNCTION scorecard_erase_audit_values(p_ids integer[], p_needles text[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed integer;
BEGIN
    UPDATE audit_events
       SET before = scorecard_scrub_json(before::jsonb, p_needles)::json,
           after = scorecard_scrub_json(after::jsonb, p_needles)::json
     WHERE id = ANY (p_ids);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$;

REVOKE ALL ON FUNCTION scorecard_erase_audit_values(integer[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scorecard_erase_audit_values(integer[], text[]) TO scorecard_app;
