-- A visitor has at most one conversation that is not closed (see the SQLite twin). A new
-- PostgreSQL database starts empty or from `kefu migrate-store`, whose source already obeys the
-- rule; the fix-up is kept so both histories stay the same.
UPDATE conversations
   SET status = 'closed', abandoned = TRUE, closed_at = COALESCE(closed_at, queued_at)
 WHERE status <> 'closed'
   AND id NOT IN (SELECT MAX(id) FROM conversations WHERE status <> 'closed' GROUP BY visitor_id);

CREATE UNIQUE INDEX conversations_one_open_per_visitor ON conversations (visitor_id) WHERE status <> 'closed';
