-- The claim index (graph/index/__init__.py): derived from the store, rebuilt from it at will.
-- Every search walks one of these B-trees in (key, id) order and stops after a page.

CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

-- Maintained counts: 'claims' and 'articles' (the unfiltered totals), and 'quads' (the store's
-- size: every write adds what it changed, graph/ingest.py).
CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;

-- One row per claim. key: the start of its statedOn span, '9999-12-31' when unknown (the order
-- of the API); span_start/span_end: the statedOn span, NULL when unknown.
CREATE TABLE IF NOT EXISTS claim (
  n INTEGER PRIMARY KEY,
  iri TEXT NOT NULL UNIQUE,
  id TEXT NOT NULL,
  key TEXT NOT NULL,
  span_start TEXT,
  span_end TEXT
);
CREATE INDEX IF NOT EXISTS claim_order ON claim (key, id, n, span_end);

-- A filter value: (kind, IRI), kind one of claimant, about, topic (the claim's topic and every
-- broader one), article, reporter (an outlet of a reporting article or a via agent), modality,
-- occasion. claims: the
-- maintained count of claims linked to it (kept by the triggers below).
CREATE TABLE IF NOT EXISTS term (
  t INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  iri TEXT NOT NULL,
  claims INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, iri)
);

-- claim <-> filter value, in the order of the API inside each value.
CREATE TABLE IF NOT EXISTS link (
  t INTEGER NOT NULL,
  key TEXT NOT NULL,
  id TEXT NOT NULL,
  n INTEGER NOT NULL,
  span_end TEXT,
  PRIMARY KEY (t, key, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_of_claim ON link (n, t);

CREATE TRIGGER IF NOT EXISTS link_counted AFTER INSERT ON link BEGIN
  UPDATE term SET claims = claims + 1 WHERE t = NEW.t;
END;
CREATE TRIGGER IF NOT EXISTS link_uncounted AFTER DELETE ON link BEGIN
  UPDATE term SET claims = claims - 1 WHERE t = OLD.t;
END;
CREATE TRIGGER IF NOT EXISTS claim_counted AFTER INSERT ON claim BEGIN
  UPDATE totals SET n = n + 1 WHERE name = 'claims';
END;
CREATE TRIGGER IF NOT EXISTS claim_uncounted AFTER DELETE ON claim BEGIN
  UPDATE totals SET n = n - 1 WHERE name = 'claims';
END;

-- The lowercased statement, quote and evidence texts of each claim, one row each; rowid is
-- claim n * 4096 + i, so a claim's texts are one rowid range.
CREATE VIRTUAL TABLE IF NOT EXISTS text USING fts5 (body, tokenize = 'trigram case_sensitive 1');

-- The same texts split into words (Unicode letters and digits; case and diacritics folded), for
-- `words` search: rowids as in text.
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');

-- How many texts held each trigram at the last rebuild: only a guide to which trigrams of a
-- needle to look up (the rarest); a trigram missing here counts as rarest. Never for answers.
CREATE TABLE IF NOT EXISTS gram (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;

-- The article list: local id (the API's order and cursor), IRI, and the date it was published
-- as the graph gives it (a partial date, NULL when unknown), for the latest articles.
CREATE TABLE IF NOT EXISTS article (local_id TEXT PRIMARY KEY, iri TEXT NOT NULL, published TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_by_published ON article (published, local_id);
CREATE TRIGGER IF NOT EXISTS article_counted AFTER INSERT ON article BEGIN
  UPDATE totals SET n = n + 1 WHERE name = 'articles';
END;
CREATE TRIGGER IF NOT EXISTS article_uncounted AFTER DELETE ON article BEGIN
  UPDATE totals SET n = n - 1 WHERE name = 'articles';
END;

INSERT OR IGNORE INTO totals VALUES ('claims', 0), ('articles', 0), ('quads', 0);

-- Disagreements: claims that state a figure, grouped by (topic, subject, unit), the unit
-- casefolded ('' when none), as graph/read.py's disagreements() groups them. A group's bounds
-- are kept on write from B-tree ends (min/max of (g, low) and (g, high): a seek each), so that
-- "which groups disagree" is a walk of figure_group's index, whatever the groups hold.
CREATE TABLE IF NOT EXISTS figure_group (
  g INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  subject TEXT NOT NULL,
  unit TEXT NOT NULL,
  members INTEGER NOT NULL DEFAULT 0,
  low REAL,          -- the lowest figure of the group (any bound)
  high REAL,         -- the highest
  disagrees INTEGER NOT NULL DEFAULT 0,  -- 1 when some claim's lower bound is over another's upper
  UNIQUE (topic, subject, unit)
);
CREATE INDEX IF NOT EXISTS disagreeing_by_topic ON figure_group (disagrees, topic, subject, unit);
CREATE INDEX IF NOT EXISTS disagreeing_by_subject ON figure_group (disagrees, subject, topic, unit);

CREATE TABLE IF NOT EXISTS figure (
  n INTEGER PRIMARY KEY,   -- the claim (claim.n)
  g INTEGER NOT NULL,
  id TEXT NOT NULL,
  low REAL,
  high REAL
);
CREATE INDEX IF NOT EXISTS figure_member ON figure (g, id);
CREATE INDEX IF NOT EXISTS figure_low ON figure (g, low);
CREATE INDEX IF NOT EXISTS figure_high ON figure (g, high);
CREATE TRIGGER IF NOT EXISTS figure_counted AFTER INSERT ON figure BEGIN
  UPDATE figure_group SET members = members + 1 WHERE g = NEW.g;
END;
CREATE TRIGGER IF NOT EXISTS figure_uncounted AFTER DELETE ON figure BEGIN
  UPDATE figure_group SET members = members - 1 WHERE g = OLD.g;
END;

-- The history of writes (the history graph's ws:Change nodes), for `changes`: newest first by
-- (at, iri), overall or of one article.
CREATE TABLE IF NOT EXISTS change (
  iri TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  article TEXT,
  by TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS change_order ON change (at, iri);
CREATE INDEX IF NOT EXISTS change_of_article ON change (article, at, iri);
