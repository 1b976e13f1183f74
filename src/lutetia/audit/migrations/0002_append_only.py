"""PostgreSQL refuses to change or remove access-log rows: the log is append-only; and appends
an entry in one round trip.

Statement triggers (cheap: once per statement, not per row) on both tables raise on UPDATE and
DELETE. The one exception: ``lutetia audit purge`` deletes old entries in a transaction that
sets ``lutetia.audit_purge`` to 'on' with SET LOCAL (it ends with the transaction). Checkpoints
are never removed.

This guards against the application's own mistakes and against SQL run through it; the
database's owner can still drop a trigger, so in production the application's role should not
own the tables (see docs/audit.md). SQLite has no such trigger (it is the single-machine
default; its file is the application's anyway).

``lutetia_audit_append(...)`` takes the chain's advisory lock, reads the last hash (or the last
checkpoint's), computes the new entry's SHA-256 over it and the canonical form the application
sends (`lutetia.audit.chain`), and inserts: one statement, so the lock is held for the insert
alone and a request pays one round trip for its entry. The application checks the hash it gets
back against its own computation.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION lutetia_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND TG_TABLE_NAME = 'lutetia_audit_auditentry'
       AND current_setting('lutetia.audit_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'old entries are removed with "lutetia audit purge --before DATE"';
END;
$$;

CREATE OR REPLACE FUNCTION lutetia_audit_append(
    p_timestamp timestamptz, p_category text, p_action text, p_outcome text, p_origin text,
    p_actor_id text, p_actor_name text, p_role text, p_session_hash text, p_target_type text,
    p_target_id text, p_target_label text, p_ip text, p_user_agent text, p_request_id text,
    p_site_id integer, p_site_name text, p_details text, p_canonical text
) RETURNS TABLE (entry_id bigint, entry_previous_hash text, entry_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text;
    digest text;
    new_id bigint;
BEGIN
    -- chain.LOCK_KEY; each statement below sees what was committed before the lock was ours.
    PERFORM pg_advisory_xact_lock(1282765925);
    SELECT e.hash INTO previous FROM lutetia_audit_auditentry e ORDER BY e.id DESC LIMIT 1;
    IF previous IS NULL THEN
        SELECT c.last_hash INTO previous
        FROM lutetia_audit_auditcheckpoint c ORDER BY c.id DESC LIMIT 1;
    END IF;
    previous := coalesce(previous, repeat('0', 64));
    digest := encode(sha256(convert_to(previous || '|' || p_canonical, 'UTF8')), 'hex');
    INSERT INTO lutetia_audit_auditentry (
        timestamp, category, action, outcome, origin, actor_id, actor_name, role,
        session_hash, target_type, target_id, target_label, ip, user_agent, request_id,
        site_id, site_name, details, previous_hash, hash
    ) VALUES (
        p_timestamp, p_category, p_action, p_outcome, p_origin, p_actor_id, p_actor_name,
        p_role, p_session_hash, p_target_type, p_target_id, p_target_label, p_ip,
        p_user_agent, p_request_id, p_site_id, p_site_name, p_details, previous, digest
    ) RETURNING id INTO new_id;
    RETURN QUERY SELECT new_id, previous, digest;
END;
$$;

CREATE TRIGGER lutetia_audit_entry_append_only
    BEFORE UPDATE OR DELETE ON lutetia_audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION lutetia_audit_append_only();

CREATE TRIGGER lutetia_audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON lutetia_audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION lutetia_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS lutetia_audit_entry_append_only ON lutetia_audit_auditentry;
DROP TRIGGER IF EXISTS lutetia_audit_checkpoint_append_only ON lutetia_audit_auditcheckpoint;
DROP FUNCTION IF EXISTS lutetia_audit_append_only();
DROP FUNCTION IF EXISTS lutetia_audit_append(
    timestamptz, text, text, text, text, text, text, text, text, text, text, text, text, text,
    text, integer, text, text, text
);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("lutetia_audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
