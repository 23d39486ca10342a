-- People who sign in, and what they may do.
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('commander', 'planner', 'leader', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now()
);
