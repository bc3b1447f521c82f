-- A visitor has at most one conversation that is not closed: two browser tabs starting at the
-- same moment get the same conversation. The database holds the rule, not a check before the
-- insert. Older data that broke it (the race the check could lose) keeps the newest open one;
-- the others are closed as abandoned.
UPDATE conversations
   SET status = 'closed', abandoned = 1, closed_at = COALESCE(closed_at, queued_at)
 WHERE status <> 'closed'
   AND id NOT IN (SELECT MAX(id) FROM conversations WHERE status <> 'closed' GROUP BY visitor_id);

CREATE UNIQUE INDEX conversations_one_open_per_visitor ON conversations (visitor_id) WHERE status <> 'closed';
