-- 0003_ui_section: where a UI event happened (the screen or row: "home/top-picks", "search", "detail"),
-- so that clicks and trailer plays can be reported per screen/section (issue 7). Empty = not sent.
-- See 0001_events.sql for the statement rule (one statement per chunk, ';' last on its line).
ALTER TABLE ui_events ADD COLUMN section String AFTER target;
