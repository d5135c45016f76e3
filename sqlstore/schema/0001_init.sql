-- renovote's embedded store, schema version 1. Times compared in SQL are
-- integers (unix nanoseconds *_ns, unix milliseconds *_ms); times shown back
-- are RFC 3339 text as the domain marshals them. Domain values are kept as
-- their JSON (js columns) with the columns the queries need beside them.

-- Small global values: the programme (programme), its revision, sequences.
CREATE TABLE kv (
  k TEXT PRIMARY KEY,
  v TEXT NOT NULL
) WITHOUT ROWID;

-- One row per compound ever applied; active = in the current programme.
CREATE TABLE compounds (
  id            TEXT PRIMARY KEY,
  active        INTEGER NOT NULL,
  programme     TEXT NOT NULL,
  name          TEXT NOT NULL,
  rule          TEXT NOT NULL,
  publish       INTEGER NOT NULL,
  planned       INTEGER NOT NULL,
  opens_ns      INTEGER NOT NULL,
  closes_ns     INTEGER NOT NULL,
  survey_opens_ns  INTEGER,           -- NULL: no survey window
  survey_closes_ns INTEGER,
  report_seq    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The register: renovote.Household JSON with its owner key.
CREATE TABLE households (
  compound  TEXT NOT NULL REFERENCES compounds(id),
  id        TEXT NOT NULL,
  js        TEXT NOT NULL,
  removed   INTEGER NOT NULL,
  area      INTEGER NOT NULL,
  owner_key TEXT NOT NULL,
  PRIMARY KEY (compound, id)
) WITHOUT ROWID;

-- Each household's current vote (renovote.HouseholdVote JSON).
CREATE TABLE votes (
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  choice    TEXT NOT NULL,
  js        TEXT NOT NULL,
  PRIMARY KEY (compound, household),
  FOREIGN KEY (compound, household) REFERENCES households(compound, id)
) WITHOUT ROWID;

-- One entry per accepted vote command, append-only.
CREATE TABLE vote_audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  old       TEXT NOT NULL,
  new       TEXT NOT NULL,
  channel   TEXT NOT NULL,
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  at_ns     INTEGER NOT NULL,
  receipt   TEXT NOT NULL,
  update_id INTEGER NOT NULL,
  evidence  TEXT NOT NULL
);
CREATE INDEX vote_audit_by_compound ON vote_audit (compound, seq);

-- One entry per register import, append-only.
CREATE TABLE register_audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  compound  TEXT NOT NULL,
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  added     INTEGER NOT NULL,
  updated   INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  missing   INTEGER NOT NULL,
  removed   INTEGER NOT NULL
);

-- Operation ids of applied commands (votes, survey answers, report filings
-- and moves, reminders, notices), kept until expires_ns: a command whose op
-- id is here is a retry and changes nothing.
CREATE TABLE ops (
  kind       TEXT NOT NULL,
  scope      TEXT NOT NULL,
  op         TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_ns INTEGER NOT NULL,
  PRIMARY KEY (kind, scope, op)
) WITHOUT ROWID;

-- Bound users: members per household, and each user's household.
CREATE TABLE members (
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  user_id   INTEGER NOT NULL,
  PRIMARY KEY (compound, household, user_id),
  FOREIGN KEY (compound, household) REFERENCES households(compound, id)
) WITHOUT ROWID;
CREATE TABLE users (
  user_id   INTEGER PRIMARY KEY,
  compound  TEXT NOT NULL,
  household TEXT NOT NULL
);

-- Invitations: the household's current one (code '' when revoked and not
-- reissued), and every code ever issued with whether it was revoked.
CREATE TABLE invites (
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  code      TEXT NOT NULL,
  issued    TEXT NOT NULL,
  revoked   INTEGER NOT NULL,
  PRIMARY KEY (compound, household),
  FOREIGN KEY (compound, household) REFERENCES households(compound, id)
) WITHOUT ROWID;
CREATE TABLE invite_codes (
  code      TEXT PRIMARY KEY,
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  issued    TEXT NOT NULL,
  revoked   INTEGER NOT NULL
) WITHOUT ROWID;

-- Update ids seen, failed invitation attempts, conversation sessions.
CREATE TABLE updates (
  id         INTEGER PRIMARY KEY,
  expires_ns INTEGER NOT NULL
);
CREATE TABLE throttle (
  user_id INTEGER NOT NULL,
  at_ns   INTEGER NOT NULL,
  token   TEXT NOT NULL,
  PRIMARY KEY (user_id, at_ns, token)
) WITHOUT ROWID;
CREATE TABLE sessions (
  key        TEXT PRIMARY KEY,
  data       BLOB NOT NULL,
  expires_ns INTEGER            -- NULL: no expiry
) WITHOUT ROWID;

-- Survey answers (renovote.SurveyAnswer JSON), the counters
-- (renovote.SurveyCounts JSON without Households), the audit.
CREATE TABLE survey (
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  js        TEXT NOT NULL,
  PRIMARY KEY (compound, household),
  FOREIGN KEY (compound, household) REFERENCES households(compound, id)
) WITHOUT ROWID;
CREATE TABLE survey_counts (
  compound TEXT PRIMARY KEY REFERENCES compounds(id),
  js       TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE survey_audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  compound  TEXT NOT NULL,
  household TEXT NOT NULL,
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  at_ns     INTEGER NOT NULL,
  op        TEXT NOT NULL,
  replaced  INTEGER NOT NULL
);
CREATE INDEX survey_audit_by_compound ON survey_audit (compound, seq);

-- Problem reports (renovote.Report JSON) and resident supervisors.
CREATE TABLE reports (
  compound   TEXT NOT NULL REFERENCES compounds(id),
  id         TEXT NOT NULL,
  num        INTEGER NOT NULL,
  js         TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  open       INTEGER NOT NULL,
  PRIMARY KEY (compound, id)
) WITHOUT ROWID;
CREATE TABLE supervisors (
  compound TEXT NOT NULL,
  user_id  INTEGER NOT NULL,
  PRIMARY KEY (compound, user_id)
) WITHOUT ROWID;

-- Staff (renovote.StaffMember JSON), staff invitations, and the audit of
-- staff changes (scope '') and of each compound's supervisors (scope: the
-- compound id).
CREATE TABLE staff (
  user_id INTEGER PRIMARY KEY,
  js      TEXT NOT NULL
);
CREATE TABLE staff_invites (
  code     TEXT PRIMARY KEY,
  js       TEXT NOT NULL,
  keep_ns  INTEGER NOT NULL      -- forgotten from then on
) WITHOUT ROWID;
CREATE TABLE staff_audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  scope     TEXT NOT NULL,
  op        TEXT NOT NULL,
  user_id   INTEGER NOT NULL,
  role      TEXT NOT NULL,
  compounds TEXT NOT NULL,
  by_whom   TEXT NOT NULL,
  at        TEXT NOT NULL
);
CREATE INDEX staff_audit_by_scope ON staff_audit (scope, seq);

-- Notices: the record as created (js) and the delivery state beside it.
CREATE TABLE notices (
  id           TEXT PRIMARY KEY,
  num          INTEGER NOT NULL UNIQUE,
  js           TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  send_at_ns   INTEGER NOT NULL,
  status       TEXT NOT NULL,
  due          INTEGER NOT NULL,  -- 1 while scheduled and not yet queued
  recipients   INTEGER NOT NULL DEFAULT 0,
  delivered    INTEGER NOT NULL DEFAULT 0,
  unreachable  INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  enqueued     INTEGER NOT NULL DEFAULT 0,
  by_chat      INTEGER NOT NULL DEFAULT 0,
  progress_id  INTEGER NOT NULL DEFAULT 0,
  cancelled_by TEXT NOT NULL DEFAULT '',
  cancelled_at TEXT NOT NULL DEFAULT '',
  late         INTEGER NOT NULL DEFAULT 0,
  late_at      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX notices_latest ON notices (created_ms, num);
CREATE INDEX notices_due ON notices (due, send_at_ns);
CREATE TABLE notice_compounds (
  compound   TEXT NOT NULL,
  notice     TEXT NOT NULL REFERENCES notices(id),
  created_ms INTEGER NOT NULL,
  num        INTEGER NOT NULL,
  PRIMARY KEY (compound, notice)
) WITHOUT ROWID;
-- The chats a notice was queued to (each once) and each one's outcome.
CREATE TABLE notice_chats (
  notice  TEXT NOT NULL REFERENCES notices(id),
  chat    INTEGER NOT NULL,
  outcome TEXT,                  -- NULL until settled
  PRIMARY KEY (notice, chat)
) WITHOUT ROWID;

-- The outbox: one row per (notice, chat) still to be sent. A sender claims
-- a row (consumer, claimed_ms, deliveries + 1); a claim older than the
-- caller's minimum idle time may be taken over; settling deletes the row.
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  notice     TEXT NOT NULL,
  chat       INTEGER NOT NULL,
  text       TEXT NOT NULL,
  photo      TEXT NOT NULL,
  document   TEXT NOT NULL,
  consumer   TEXT,
  claimed_ms INTEGER,            -- NULL: never claimed
  deliveries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_claimed ON outbox (claimed_ms, seq);
CREATE TABLE unreachable (
  chat INTEGER PRIMARY KEY
);
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  js  TEXT NOT NULL
);

-- Reminders counted per household, announcements made.
CREATE TABLE reminders (
  compound  TEXT NOT NULL,
  kind      TEXT NOT NULL,
  household TEXT NOT NULL,
  n         INTEGER NOT NULL,
  PRIMARY KEY (compound, kind, household)
) WITHOUT ROWID;
CREATE TABLE announced (
  key TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Scheduled job runs: a claim (owner, lease until expires_ns) or a done run
-- (done_js, kept until expires_ns), and each job's finished runs.
CREATE TABLE runs (
  job        TEXT NOT NULL,
  tick       TEXT NOT NULL,
  owner      TEXT NOT NULL,
  done_js    TEXT,
  expires_ns INTEGER NOT NULL,
  PRIMARY KEY (job, tick)
) WITHOUT ROWID;
CREATE TABLE run_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  js  TEXT NOT NULL
);
CREATE INDEX run_history_by_job ON run_history (job, seq);

-- The audit tables are append-only.
CREATE TRIGGER vote_audit_no_update BEFORE UPDATE ON vote_audit BEGIN SELECT RAISE(ABORT, 'vote_audit is append-only'); END;
CREATE TRIGGER vote_audit_no_delete BEFORE DELETE ON vote_audit BEGIN SELECT RAISE(ABORT, 'vote_audit is append-only'); END;
CREATE TRIGGER survey_audit_no_update BEFORE UPDATE ON survey_audit BEGIN SELECT RAISE(ABORT, 'survey_audit is append-only'); END;
CREATE TRIGGER survey_audit_no_delete BEFORE DELETE ON survey_audit BEGIN SELECT RAISE(ABORT, 'survey_audit is append-only'); END;
CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit BEGIN SELECT RAISE(ABORT, 'staff_audit is append-only'); END;
CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit BEGIN SELECT RAISE(ABORT, 'staff_audit is append-only'); END;
CREATE TRIGGER register_audit_no_update BEFORE UPDATE ON register_audit BEGIN SELECT RAISE(ABORT, 'register_audit is append-only'); END;
CREATE TRIGGER register_audit_no_delete BEFORE DELETE ON register_audit BEGIN SELECT RAISE(ABORT, 'register_audit is append-only'); END;
