-- Version 3: the update journal of a bot long polling alone. Each update it
-- took from Telegram and has not handled yet, by update id: its raw JSON
-- and when it was journaled (the store's clock). UpdatesDone deletes a row.
CREATE TABLE update_journal (
  id    INTEGER PRIMARY KEY,
  raw   BLOB NOT NULL,
  at_ns INTEGER NOT NULL
);
