-- Failed sign-ins counted per key ('user:<name>' or 'address:<ip>'): past a few, each attempt waits longer.
-- A success clears its account's row; a row whose last failure is older than the window starts again.
CREATE TABLE sign_in_attempt (
    key text PRIMARY KEY CHECK (key ~ '^(user|address):'),
    failures integer NOT NULL CHECK (failures >= 0),
    last_failed_at timestamptz NOT NULL
);
