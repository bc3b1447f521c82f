-- Twin of the SQLite migration. Per-language texts an admin sets: a business type's name as the widget shows it, and a skill
-- group's welcome message shown at the top of the customer's chat. JSON objects by locale
-- (`{"zh-CN": "…", "en": "…"}`); `{}` means none (the business type's `name` is then shown).
ALTER TABLE business_types ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE skill_groups ADD COLUMN welcome TEXT NOT NULL DEFAULT '{}';
