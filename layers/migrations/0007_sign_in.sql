-- Sign-in hardening: normalised unique user names, disabled users, server-side sessions
-- (revoked at sign-out, on a password change and when a user is disabled) and the audit log.

-- name_key: the name as compared (NFKC, trimmed, lower case), unique. Names that collide
-- once normalised (say 'Admin' beside 'admin') keep the oldest; the others are renamed
-- '<name>#<id>' and disabled, so that this migration never fails on old data.
ALTER TABLE users
    ADD COLUMN disabled boolean NOT NULL DEFAULT false,
    ADD COLUMN password_changed_at timestamptz;
UPDATE users u SET name = u.name || '#' || u.id, disabled = true
WHERE EXISTS (SELECT 1 FROM users o WHERE o.id < u.id
              AND lower(normalize(btrim(o.name), NFKC)) = lower(normalize(btrim(u.name), NFKC)));
ALTER TABLE users
    ADD COLUMN name_key text GENERATED ALWAYS AS (lower(normalize(btrim(name), NFKC))) STORED;
CREATE UNIQUE INDEX users_normalised_name ON users (name_key);
-- new names only: old over-long names stay readable (and can be disabled)
ALTER TABLE users ADD CONSTRAINT users_name_length CHECK (char_length(name) BETWEEN 1 AND 64) NOT VALID;

-- A browser's signed-in session: the cookie holds a random token, the table its SHA-256.
CREATE TABLE sessions (
    id bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    address text
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;

-- Who did what to users and sign-ins, when, before and after (never a password or a hash).
-- Rows are only ever added.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text,
    action text NOT NULL,
    target text,
    before jsonb,
    after jsonb,
    address text
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
