-- Sign-in: bearer tokens for the API and browser sessions, stored only as hashes.
CREATE TABLE api_token (
    token_hash text PRIMARY KEY,
    user_id integer NOT NULL REFERENCES app_user (id),
    kind text NOT NULL CHECK (kind IN ('bearer', 'session')),
    csrf text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);
