-- Version 2: the publicity window (公示期) and objections (异议); webhook
-- update claims beside FirstSeen's update ids.

ALTER TABLE compounds ADD COLUMN publicity_opens_ns INTEGER;  -- NULL: no publicity window
ALTER TABLE compounds ADD COLUMN publicity_closes_ns INTEGER;
ALTER TABLE compounds ADD COLUMN objection_seq INTEGER NOT NULL DEFAULT 0;

-- Objections (renovote.Objection JSON), open until answered.
CREATE TABLE objections (
  compound   TEXT NOT NULL REFERENCES compounds(id),
  id         TEXT NOT NULL,
  num        INTEGER NOT NULL,
  js         TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  open       INTEGER NOT NULL,
  PRIMARY KEY (compound, id)
) WITHOUT ROWID;

-- One entry per filing and per answer, append-only.
CREATE TABLE objection_audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  compound  TEXT NOT NULL,
  op        TEXT NOT NULL,
  id        TEXT NOT NULL,
  household TEXT NOT NULL,
  user_id   INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  opid      TEXT NOT NULL
);
CREATE INDEX objection_audit_by_compound ON objection_audit (compound, seq);
CREATE TRIGGER objection_audit_no_update BEFORE UPDATE ON objection_audit BEGIN SELECT RAISE(ABORT, 'objection_audit is append-only'); END;
CREATE TRIGGER objection_audit_no_delete BEFORE DELETE ON objection_audit BEGIN SELECT RAISE(ABORT, 'objection_audit is append-only'); END;

-- An update id's state: 'seen' (FirstSeen), 'run' (claimed by token, the
-- lease until expires_ns), 'fail' (an attempt released), 'done' (handled).
ALTER TABLE updates ADD COLUMN kind TEXT NOT NULL DEFAULT 'seen';
ALTER TABLE updates ADD COLUMN token TEXT NOT NULL DEFAULT '';
ALTER TABLE updates ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
