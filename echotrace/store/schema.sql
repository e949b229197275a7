-- The public schema: users query these tables with SQL. Add columns freely, rename none.
-- Spans (start, "end") are character offsets into articles.text.

CREATE TABLE IF NOT EXISTS runs (
    run_id      VARCHAR PRIMARY KEY,
    started     TIMESTAMP NOT NULL,
    finished    TIMESTAMP,
    status      VARCHAR NOT NULL,          -- running / finished
    inputs      VARCHAR NOT NULL,          -- JSON list of the paths given
    settings    VARCHAR NOT NULL,          -- JSON of the settings that change results
    counts      VARCHAR                    -- JSON: per stage counts and seconds
);

CREATE TABLE IF NOT EXISTS inputs (        -- every input unit seen: what makes a run resumable
    source      VARCHAR PRIMARY KEY,       -- path, path#line=N or path#record=N
    doc_id      VARCHAR,                   -- null when skipped
    run_id      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    doc_id          VARCHAR PRIMARY KEY,
    title           VARCHAR,
    text            VARCHAR NOT NULL,
    url             VARCHAR,
    outlet          VARCHAR,
    outlet_evidence VARCHAR,
    published       TIMESTAMP,
    date_kind       VARCHAR,
    date_evidence   VARCHAR,
    crawled         TIMESTAMP,
    language        VARCHAR,
    source_paths    VARCHAR[] NOT NULL,
    fmt             VARCHAR,
    n_chars         INTEGER,
    run_id          VARCHAR
);

CREATE TABLE IF NOT EXISTS paragraphs (
    doc_id  VARCHAR NOT NULL,
    idx     INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    "end"   INTEGER NOT NULL,
    lang    VARCHAR,
    text    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS boilerplate (
    doc_id  VARCHAR NOT NULL,
    idx     INTEGER NOT NULL,
    text    VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS credits (
    doc_id   VARCHAR NOT NULL,
    name     VARCHAR NOT NULL,
    role     VARCHAR NOT NULL,
    start    INTEGER,
    "end"    INTEGER,
    evidence VARCHAR
);

CREATE TABLE IF NOT EXISTS skipped (
    path    VARCHAR NOT NULL,
    code    VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL,
    run_id  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    type      VARCHAR,
    aliases   VARCHAR[]
);

CREATE TABLE IF NOT EXISTS mentions (
    doc_id    VARCHAR NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    entity_id VARCHAR NOT NULL,
    text      VARCHAR,
    method    VARCHAR,
    salience  DOUBLE
);

CREATE TABLE IF NOT EXISTS quotes (
    quote_id          VARCHAR PRIMARY KEY,
    doc_id            VARCHAR NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    text              VARCHAR NOT NULL,
    speaker_entity_id VARCHAR,
    speaker_name      VARCHAR,
    kind              VARCHAR NOT NULL,
    speaker_start     INTEGER,
    speaker_end       INTEGER,
    cue_start         INTEGER,
    cue_end           INTEGER,
    cue               VARCHAR,
    group_id          VARCHAR
);

CREATE TABLE IF NOT EXISTS quote_groups (
    group_id          VARCHAR PRIMARY KEY,
    first_doc_id      VARCHAR,
    n_docs            INTEGER,
    speaker_entity_id VARCHAR,
    speaker_name      VARCHAR,
    text              VARCHAR
);

CREATE TABLE IF NOT EXISTS doc_links (
    doc_a   VARCHAR NOT NULL,
    doc_b   VARCHAR NOT NULL,
    kind    VARCHAR NOT NULL,
    score   DOUBLE,
    earlier VARCHAR,
    method  VARCHAR
);

CREATE TABLE IF NOT EXISTS link_spans (
    doc_a   VARCHAR NOT NULL,
    a_start INTEGER NOT NULL,
    a_end   INTEGER NOT NULL,
    doc_b   VARCHAR NOT NULL,
    b_start INTEGER NOT NULL,
    b_end   INTEGER NOT NULL,
    score   DOUBLE
);

CREATE TABLE IF NOT EXISTS stories (
    story_id VARCHAR NOT NULL,
    doc_id   VARCHAR NOT NULL,
    label    VARCHAR
);

CREATE TABLE IF NOT EXISTS narratives (
    narrative_id VARCHAR PRIMARY KEY,
    title        VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    description  VARCHAR
);

CREATE TABLE IF NOT EXISTS narrative_matches (
    narrative_id    VARCHAR NOT NULL,
    doc_id          VARCHAR NOT NULL,
    start           INTEGER NOT NULL,  -- offsets into articles.text, or into the boilerplate block below
    "end"           INTEGER NOT NULL,
    score           DOUBLE,
    text            VARCHAR,
    boilerplate_idx INTEGER            -- set when the evidence is in a removed block (related headlines)
);
ALTER TABLE narrative_matches ADD COLUMN IF NOT EXISTS boilerplate_idx INTEGER;  -- stores made before it

CREATE TABLE IF NOT EXISTS provenance (     -- republication chains, earliest first
    chain_id          VARCHAR NOT NULL,
    root              VARCHAR NOT NULL,     -- credited origin (e.g. TASS) or the first outlet
    root_doc_id       VARCHAR,
    root_is_credited  BOOLEAN,
    step              INTEGER NOT NULL,
    doc_id            VARCHAR NOT NULL,
    outlet            VARCHAR,
    date              TIMESTAMP,
    date_kind         VARCHAR,
    date_is_fallback  BOOLEAN,              -- ordered by crawl date: no publication date known
    first_appearance  BOOLEAN,
    via_doc_id        VARCHAR,
    via_kind          VARCHAR,
    via_score         DOUBLE
);
