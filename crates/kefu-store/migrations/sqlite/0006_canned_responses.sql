-- Canned responses (快捷回复): an agent's personal library (owner_user_id set) and the team's
-- (owner_user_id NULL, managed by admins). A shortcut is unique within one library; the index is
-- on an expression because NULLs never collide in a plain UNIQUE.
CREATE TABLE canned_responses (
    id             INTEGER PRIMARY KEY,
    owner_user_id  INTEGER REFERENCES users (id) ON DELETE CASCADE,
    category       TEXT NOT NULL DEFAULT '',
    shortcut       TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (COALESCE(owner_user_id, 0), shortcut);
