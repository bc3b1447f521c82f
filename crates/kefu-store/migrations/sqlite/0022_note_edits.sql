-- An internal note its author edited: when (ms), NULL while never edited. The text is replaced in
-- place (no history kept); the note keeps its place (`after_seq`) in the transcript.
ALTER TABLE conversation_notes ADD COLUMN edited_at INTEGER;
